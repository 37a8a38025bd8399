"""Simulator: K simulated hosts served from one asyncio loop.

``with Simulator(opts) as sim:`` runs the loop in a background daemon thread; ``start()`` returns
once every host listens and ``stop()`` closes everything and joins. Code that already runs an
event loop can instead ``await sim.astart()`` / ``await sim.astop()`` to serve from that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import secrets
import threading
from types import TracebackType

from hvtui.sim.auth import tls_server_end_point
from hvtui.sim.host import SimHost
from hvtui.sim.inventory import HostSpec, generate_host, load_scenario
from hvtui.sim.sim_options import OptionsError, SimOptions
from hvtui.sim.tls import TLSMaterial, server_context


class Simulator:
    def __init__(self, options: SimOptions | None = None) -> None:
        self.options = options or SimOptions()
        self.options.validate()
        password = self.options.password or secrets.token_urlsafe(12)
        self.generated_password = self.options.password is None
        specs = self._specs()
        self.hosts: list[SimHost] = [SimHost(i, s, self.options, password) for i, s in enumerate(specs)]
        self.tls: TLSMaterial | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        return f"Simulator(hosts={len(self.hosts)}, https={self.options.https})"

    def _specs(self) -> list[HostSpec]:
        opts = self.options
        releases = opts.releases()
        if opts.scenario:
            specs = load_scenario(opts.scenario, releases[0], opts.seed)
            names = [s.name.lower() for s in specs]
            if len(set(names)) != len(names):
                raise OptionsError(f"scenario {opts.scenario}: two hosts have the same name")
            return specs
        low, high = opts.vm_range()
        rng = random.Random(f"hvtui-sim-counts:{opts.seed}")
        return [
            generate_host(
                i, releases[i % len(releases)], rng.randint(low, high), opts.seed, opts.unique_names
            )
            for i in range(opts.hosts)
        ]

    @property
    def ca_pem(self) -> str | None:
        """PEM text of the certificate HTTPS clients must trust (None over plain HTTP).

        Text, not bytes: ``ssl.create_default_context(cadata=...)`` reads bytes as DER.
        """
        return self.tls.cert_pem.decode("ascii") if self.tls else None

    @property
    def fingerprint(self) -> str | None:
        return self.tls.fingerprint if self.tls else None

    # --- in the current loop ------------------------------------------------------------------

    async def astart(self) -> None:
        """Start serving from the running event loop; returns once every host listens."""
        opts = self.options
        if opts.https and self.tls is None:
            self.tls = server_context(opts.host, opts.cert, opts.key)
        ctx = self.tls.context if self.tls else None
        for host in self.hosts:
            host.channel_binding = tls_server_end_point(self.tls.cert_pem) if self.tls else None
        self._loop = asyncio.get_running_loop()
        started: list[SimHost] = []
        try:
            for i, host in enumerate(self.hosts):
                await host.start(opts.port + i if opts.port else 0, ctx)
                started.append(host)
        except OSError as exc:
            for h in started:
                await h.stop()
            raise OptionsError(
                f"cannot listen on {opts.host}:{opts.port + len(started)}: {exc.strerror}"
            ) from None

    async def astop(self) -> None:
        for host in self.hosts:
            await host.stop()

    # --- in a background thread ---------------------------------------------------------------

    def start(self) -> Simulator:
        if self._thread is not None:
            return self
        self._thread = threading.Thread(target=self._run, name="hvtui-sim", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join(5)
            self._thread = None
            raise self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._ready.set()

    async def _main(self) -> None:
        self._stop_event = asyncio.Event()
        try:
            await self.astart()
        except BaseException as exc:  # noqa: BLE001 - handed to the starting thread, which re-raises it
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        await self._stop_event.wait()
        await self.astop()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if thread is None or loop is None:
            return
        if self._stop_event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._stop_event.set)
        thread.join(30)
        self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Simulator:
        await self.astart()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.astop()
