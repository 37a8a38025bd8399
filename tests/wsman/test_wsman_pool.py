"""Concurrent requests to one host travel on a few connections, each authenticated on its own;
requests made one after another keep to one, and the extra connections close when asked."""

from __future__ import annotations

import asyncio

import pytest

from hvtui.wsman import ClientOptions, ConfigurationError
from tests.wsman.test_wsman_sim import CS, CS_SCHEMA, VMS_WQL, connect

OS = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*"
OS_WQL = "SELECT Caption FROM Win32_OperatingSystem"


async def test_concurrent_reads_open_connections_up_to_the_pool_size(make_sim):
    sim = make_sim(vms=30, allow_unencrypted=False)
    async with connect(sim.hosts[0], connections=3) as client:
        results = await asyncio.gather(
            *(client.enumerate_all(CS, VMS_WQL, schema=CS_SCHEMA) for _ in range(5)),
            *(client.enumerate_all(OS, OS_WQL) for _ in range(3)),
        )
        assert [len(r) for r in results] == [30] * 5 + [1] * 3
        assert client.encrypted
        assert client.stats.handshakes == 3  # one per connection, never more than the pool allows
        await client.trim()
        handshakes = client.stats.handshakes
        for _ in range(3):  # one after another: the first connection, already authenticated
            assert len(await client.enumerate_all(OS, OS_WQL)) == 1
        assert client.stats.handshakes == handshakes


async def test_requests_one_after_another_use_one_connection(make_sim):
    sim = make_sim(vms=5, allow_unencrypted=False)
    async with connect(sim.hosts[0], connections=4) as client:
        for _ in range(4):
            await client.enumerate_all(CS, VMS_WQL)
        assert client.stats.handshakes == 1


def test_the_pool_size_is_checked():
    with pytest.raises(ConfigurationError, match="connections must be between 1 and 8"):
        ClientOptions(connections=0)
