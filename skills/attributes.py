"""Built-in skills that read and set a device's attributes declared in the home file, within range."""

from __future__ import annotations

from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, skill
from fusehub.skills._common import clamp
from pydantic import Field


class AttributeSetArgs(Args):
    device: str = Field(description="Device id.")
    attribute: str = Field(description="A declared attribute of that device.")
    value: float | str | bool | None = Field(default=None, description="New value (number, option or bool).")
    change: float | None = Field(default=None, description="Relative change for numeric attributes.")


@skill("attribute_set", "Set a device's declared attribute within its range or options.", capabilities=("attributes",))
def attribute_set(ctx: SkillContext, args: AttributeSetArgs) -> SkillResult:
    d = ctx.device(args.device)
    decl = d.attributes.get(args.attribute)
    if decl is None:
        raise SkillError(f"{d.name} has no attribute {args.attribute!r}")
    if decl.get("writable") is False:
        raise SkillError(f"{d.name}: {args.attribute} is read-only")
    typ = decl.get("type")
    value: float | str | bool
    if typ == "number":
        lo, hi = float(decl["min"]), float(decl["max"])
        if args.change is not None:
            cur = d.state.get(args.attribute)
            if not isinstance(cur, int | float):
                raise SkillError(f"{d.name}: {args.attribute} is unknown, give a value")
            value = clamp(float(cur) + args.change, lo, hi)
        elif isinstance(args.value, int | float) and not isinstance(args.value, bool):
            if not lo <= float(args.value) <= hi:
                raise SkillError(f"{d.name}: {args.attribute} must be within {lo:g}-{hi:g} {decl.get('unit') or ''}")
            value = float(args.value)
        else:
            raise SkillError(f"{d.name}: {args.attribute} needs a number")
    elif typ == "enum":
        opts = [str(o) for o in decl.get("options", [])]
        if not isinstance(args.value, str) or args.value not in opts:
            raise SkillError(f"{d.name}: {args.attribute} must be one of {', '.join(opts)}")
        value = args.value
    elif typ == "bool":
        if not isinstance(args.value, bool):
            raise SkillError(f"{d.name}: {args.attribute} must be true or false")
        value = args.value
    else:
        if not isinstance(args.value, str):
            raise SkillError(f"{d.name}: {args.attribute} needs text")
        value = args.value[:255]
    return SkillResult(
        commands=[ctx.command(d.id, "attributes", "set_attribute", attribute=args.attribute, value=value)]
    )


class AttributeGetArgs(Args):
    device: str = Field(description="Device id.")
    attribute: str = Field(description="Attribute name.")


@skill("attribute_get", "Read a device's attribute.", permission="read")
def attribute_get(ctx: SkillContext, args: AttributeGetArgs) -> SkillResult:
    d = ctx.device(args.device)
    if args.attribute not in d.attributes and args.attribute not in d.state:
        raise SkillError(f"{d.name} has no attribute {args.attribute!r}")
    v = d.state.get(args.attribute)
    unit = d.attributes.get(args.attribute, {}).get("unit") or ""
    return SkillResult(speech=f"{d.name} {args.attribute.replace('_', ' ')} is {'unknown' if v is None else v}{unit}")
