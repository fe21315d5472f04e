"""Built-in skills for cars: cabin preconditioning, and locking (secure)."""

from __future__ import annotations

from fusehub.context.graph import DeviceView
from fusehub.errors import SkillError
from fusehub.sdk import Args, SkillContext, SkillResult, Target, skill
from fusehub.skills._common import option_range
from pydantic import Field


class CarArgs(Args):
    car: str | None = Field(default=None, description="Car device id; the requester's car if omitted.")


def _car(ctx: SkillContext, car: str | None, capability: str) -> DeviceView:
    if car is None:
        actor = ctx.context.actor
        if actor.kind == "person" and actor.id and ctx.graph.has_person(actor.id):
            car = ctx.graph.person(actor.id).car
        if car is None:
            cars = ctx.graph.devices(capability=capability)
            if len(cars) != 1:
                raise SkillError("which car?" if cars else "no car")
            car = cars[0].id
    return ctx.targets(Target(device=car), capability)[0]


class PreconditionArgs(CarArgs):
    temperature: float | None = Field(default=None, ge=15, le=28, description="Cabin target in °C.")
    on: bool = Field(default=True, description="False stops preconditioning.")


@skill("car_precondition", "Warm up or cool down a car's cabin before a trip.", permission="secure",
       capabilities=("car_climate",))
def car_precondition(ctx: SkillContext, args: PreconditionArgs) -> SkillResult:
    car = _car(ctx, args.car, "car_climate")
    params: dict[str, object] = {"on": args.on}
    if args.temperature is not None:
        rng = option_range(car, "temperature")
        if rng is not None and not rng[0] <= args.temperature <= rng[1]:
            raise SkillError(f"{car.name} preheats from {rng[0]:g} to {rng[1]:g} degrees, not {args.temperature:g}")
        params["temperature"] = args.temperature
    return SkillResult(commands=[ctx.command(car.id, "car_climate", "precondition", **params)])


@skill("car_lock", "Lock a car.", permission="secure", capabilities=("car_lock",))
def car_lock(ctx: SkillContext, args: CarArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_car(ctx, args.car, "car_lock").id, "car_lock", "lock")])


@skill("car_unlock", "Unlock a car.", permission="secure", capabilities=("car_lock",))
def car_unlock(ctx: SkillContext, args: CarArgs) -> SkillResult:
    return SkillResult(commands=[ctx.command(_car(ctx, args.car, "car_lock").id, "car_lock", "unlock")])
