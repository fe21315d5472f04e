"""The capability table: what devices can do, as frozen descriptions (not class trees).

Skills target capabilities, never vendors. An adapter's encoder turns a command
(capability, action, params) into its ecosystem's messages; its parser reports state using
the attribute names listed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ATTRIBUTE_KINDS", "CAPABILITIES", "Capability", "capability", "kind_capabilities"]


@dataclass(frozen=True, slots=True)
class Capability:
    """One capability: its state attributes and the actions a command may ask for."""

    name: str
    description: str
    attributes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    sensor: bool = field(default=False)


CAPABILITIES: dict[str, Capability] = {
    c.name: c
    for c in (
        Capability("on_off", "Can be switched on and off.", ("on",), ("turn_on", "turn_off", "toggle")),
        Capability("brightness", "Dimmable, brightness in percent 0-100.", ("brightness",), ("set_brightness",)),
        Capability("color", "Colored light, RGB.", ("rgb",), ("set_color",)),
        Capability("color_temp", "White temperature in kelvin.", ("color_temp",), ("set_color_temp",)),
        Capability(
            "temperature_setpoint",
            "Thermostat target temperature in degrees Celsius.",
            ("target_temperature", "current_temperature"),
            ("set_temperature",),
        ),
        Capability(
            "hvac_mode", "Heating/cooling mode (off, heat, cool, auto, ...).", ("hvac_mode",), ("set_hvac_mode",)
        ),
        Capability(
            "cover_position", "Blind, shade or curtain, position 0 (closed) - 100 (open).",
            ("position",), ("open", "close", "stop", "set_position"),
        ),
        Capability("lock", "Door lock.", ("locked",), ("lock", "unlock")),
        Capability("garage", "Garage door.", ("open_state",), ("open", "close")),
        Capability(
            "vacuum", "Robot vacuum.", ("status", "battery"), ("start", "stop", "pause", "dock", "clean_rooms")
        ),
        Capability(
            "media", "Media player.", ("playback", "volume", "title"), ("play", "pause", "next", "set_volume")
        ),
        Capability("tts", "Speaker that can announce text.", (), ("announce",)),
        Capability("notify", "Receives notifications (a phone).", (), ("notify",)),
        Capability("car_climate", "Car cabin climate.", ("climate_on", "inside_temperature"), ("precondition",)),
        Capability("car_lock", "Car doors lock.", ("locked",), ("lock", "unlock")),
        Capability("location", "Reports a geographic position.", ("latitude", "longitude", "accuracy"), (), True),
        Capability("presence", "Reports entering and leaving regions.", ("regions",), (), True),
        Capability("motion", "Motion sensor.", ("motion",), (), True),
        Capability("occupancy", "Occupancy sensor.", ("occupancy",), (), True),
        Capability("contact", "Door/window contact (open=True).", ("contact_open",), (), True),
        Capability("measurement", "Numeric sensor reading.", ("value",), (), True),
        Capability("button", "Can be pressed.", (), ("press",)),
        Capability("attributes", "Declared attributes that can be read and set within range.", (), ("set_attribute",)),
    )
}


ATTRIBUTE_KINDS: dict[str, str] = {
    "on": "bool", "locked": "bool", "motion": "bool", "occupancy": "bool", "contact_open": "bool",
    "climate_on": "bool",
    "brightness": "percent", "position": "percent", "battery": "percent",
    "color_temp": "number", "target_temperature": "number", "current_temperature": "number", "volume": "number",
    "inside_temperature": "number", "latitude": "number", "longitude": "number", "accuracy": "number",
    "value": "number",
    "hvac_mode": "text", "open_state": "text", "status": "text", "playback": "text", "title": "text",
}
"""The value kind of the capability attributes whose type is fixed: bool (true/false), percent (0-100),
number, text. State given by people (a home file's `initial:`, a scene, a `--state` file) is checked against it."""


def capability(name: str) -> Capability:
    """The capability called `name`; KeyError with the known names if there is none."""
    try:
        return CAPABILITIES[name]
    except KeyError:
        raise KeyError(f"unknown capability {name!r}; known: {', '.join(sorted(CAPABILITIES))}") from None


_KIND_CAPS: dict[str, tuple[str, ...]] = {
    "light": ("on_off", "brightness"),
    "switch": ("on_off",),
    "plug": ("on_off",),
    "lock": ("lock",),
    "garage": ("garage",),
    "cover": ("cover_position",),
    "climate": ("temperature_setpoint", "hvac_mode"),
    "vacuum": ("vacuum",),
    "media_player": ("media",),
    "speaker": ("tts", "media"),
    "phone": ("location", "presence", "notify"),
    "car": ("location", "car_climate", "car_lock"),
    "motion": ("motion",),
    "occupancy": ("occupancy",),
    "contact": ("contact",),
    "sensor": ("measurement",),
    "button": ("button",),
    "generic": (),
}


def kind_capabilities(kind: str) -> tuple[str, ...]:
    """Default capabilities of a device kind, used when a home file names only the kind."""
    return _KIND_CAPS.get(kind, ())
