"""The device side of bench/faults.py: virtual devices on one persistent MQTT 5 session that a scenario can cut
off (a partition) and heal, applying commands and deduplicating them by the `fusehub-command-id` property."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from datetime import UTC, datetime
from typing import Any

from fusehub.app import load_adapters
from fusehub.clock import RealClock
from fusehub.config import MqttSettings
from fusehub.events import Outbound
from fusehub.home import Home
from fusehub.mqtt import Message, MqttLink
from fusehub.simulations.world import World

__all__ = ["DeviceSide"]


class _Down:
    """Stands in for a device's MQTT link while it is partitioned: nothing it publishes gets out."""

    async def publish(self, msg: Outbound, **_: Any) -> bool:
        return False


class DeviceSide:
    """Virtual devices on one persistent MQTT 5 session; `partition()` cuts the link, `heal()` restores it."""

    def __init__(self, home: Home, url: str, client_id: str, *, slow_s: float = 0.0) -> None:
        self.settings = MqttSettings(url=url, protocol="5", client_id=client_id, reconnect_min_s=0.1,
                                     reconnect_max_s=0.5)
        self.home = home
        self.client_id = client_id
        self.slow_s = slow_s
        self.world: World | None = None
        self._link: MqttLink | None = None
        self._pumps: list[asyncio.Task[None]] = []
        self.down_intervals: list[tuple[datetime, datetime | None]] = []

    async def start(self) -> None:
        link = await self._connect()
        self.world = World(self.home, load_adapters(), link, RealClock())
        await self.world.start()

    async def _connect(self) -> MqttLink:
        link = MqttLink(self.settings, self.client_id)
        await link.__aenter__()
        if not await link.wait_connected(15):
            raise RuntimeError(f"{self.client_id} could not connect")
        self._link = link
        self._pumps.append(asyncio.create_task(self._pump(link)))
        if self.world is not None:
            self.world.link = link
            for pattern, _dev in self.world._topics:
                await link.subscribe(pattern)
        return link

    async def _pump(self, link: MqttLink) -> None:
        async for m in link.messages():
            await self._handle(m)

    async def _handle(self, m: Message) -> None:
        if self.slow_s:
            await asyncio.sleep(self.slow_s)
        assert self.world is not None
        try:
            await self.world.handle(m.topic, m.payload, m.command_id)
        except Exception as e:  # a bad message must not stop the device side
            print(f"device side: {type(e).__name__}: {e}", file=sys.stderr)

    async def partition(self) -> None:
        """The link goes down (what it already received is still applied, as a device would)."""
        assert self._link is not None and self.world is not None
        self.world.link = _Down()  # type: ignore[assignment]
        link, self._link = self._link, None
        link._stopping = True
        if link._task is not None:  # a cut, not a goodbye: no offline status, no clean disconnect
            link._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await link._task
        self.down_intervals.append((datetime.now(UTC), None))

    async def heal(self) -> None:
        start, _ = self.down_intervals[-1]
        await self._connect()
        self.down_intervals[-1] = (start, datetime.now(UTC))

    def idle(self) -> bool:
        return self._link is None or self._link.pending() == 0

    async def close(self) -> None:
        for t in self._pumps:
            t.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        if self._link is not None:
            await self._link.__aexit__(None, None, None)
