"""How a skill author tests a skill: in the simulator, against a home file, through the real hub."""

from __future__ import annotations

import fusehub_example_skills.skills as example
from fusehub.simulations import demo_home_path
from fusehub.simulations.harness import SkillHarness

HOME = demo_home_path()


async def test_boost_reaches_the_humidifier() -> None:
    async with SkillHarness(HOME, modules=[example], people={"anna": "home"}) as h:
        out = await h.call("humidifier_boost", {"device": "humidifier"}, person="anna", room="bedroom")
        assert out.verdicts == ["allowed"]
        state = h.device_state("humidifier")
        assert state["on"] is True
        assert state["target_humidity"] == 80
        assert state["mode"] == "boost"


async def test_unknown_device_is_refused_cleanly() -> None:
    async with SkillHarness(HOME, modules=[example]) as h:
        out = await h.call("humidifier_sleep", {"device": "toaster"}, person="anna")
        assert out.verdicts[0].startswith("failed") and "toaster" in out.verdicts[0]
        assert h.received() == []
