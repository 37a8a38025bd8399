"""SimOptions: everything that shapes a simulator run, validated in one place."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

from hvtui.sim.releases import Release, parse_releases

MAX_VMS = 10_000
_RANGE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")


class OptionsError(ValueError):
    """A bad option value; the message is one line that says what to do."""


@dataclass
class SimOptions:
    """Options of a simulator run; the CLI flags map one to one onto these fields.

    ``vms`` is an int or a range ``"20-60"`` drawn per host from the seed. ``release`` is one
    release or a comma list cycled over hosts. ``time_scale`` > 1 makes every simulated
    duration (state transitions, jobs, shutdown) that many times shorter. ``password`` None
    means a random one, made at start. ``first_batch`` is how many items an optimized
    EnumerateResponse carries (real 2008 R2/2012 hosts send exactly one).
    """

    hosts: int = 1
    vms: int | str = 20
    release: str = "2022"
    seed: int = 0
    https: bool = False
    password: str | None = None
    auth: tuple[str, ...] = ("basic", "ntlm")
    allow_unencrypted: bool = False
    latency_ms: float = 0.0
    faults: str = ""
    legacy_states: bool = False
    scenario: str | Path | None = None
    time_scale: float = 1.0
    host: str = "127.0.0.1"
    port: int = 0
    cert: str | Path | None = None
    key: str | Path | None = None
    keytab: str | Path | None = None
    user: str = "administrator"
    first_batch: int = 1
    enumeration_timeout_ms: int = 240_000
    max_envelope_kb: int = 500
    max_concurrent_operations: int = 1500
    unique_names: bool = True
    # Simulated time stands still (``advance()`` still moves it): uptimes and CPU load stop
    # changing, so screenshots and snapshot tests come out the same on every run.
    frozen_clock: bool = False

    def __repr__(self) -> str:  # never show the password
        shown = {k: v for k, v in self.__dict__.items() if k != "password"}
        shown["password"] = "***" if self.password else None
        return "SimOptions(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()) + ")"

    def releases(self) -> list[Release]:
        try:
            return parse_releases(self.release)
        except ValueError as exc:
            raise OptionsError(str(exc)) from None

    def vm_range(self) -> tuple[int, int]:
        """(low, high) VM count per host."""
        if isinstance(self.vms, int):
            low = high = self.vms
        else:
            text = str(self.vms)
            m = _RANGE.match(text)
            if m:
                low, high = int(m.group(1)), int(m.group(2))
            elif text.strip().isdigit():
                low = high = int(text)
            else:
                raise OptionsError(f"--vms {text!r}: give a count (0..{MAX_VMS}) or a range like 20-60")
        if not 0 <= low <= high <= MAX_VMS:
            raise OptionsError(f"--vms {self.vms}: counts must be within 0..{MAX_VMS}, low before high")
        return low, high

    def validate(self) -> None:
        if not 1 <= self.hosts <= 1000:
            raise OptionsError("--hosts must be between 1 and 1000")
        self.vm_range()
        self.releases()
        if not 0 <= self.port <= 65535 or (self.port and self.port + self.hosts - 1 > 65535):
            raise OptionsError(
                f"--port {self.port}: ports {self.port}..{self.port + self.hosts - 1} do not fit"
            )
        if self.time_scale <= 0:
            raise OptionsError("time_scale must be positive")
        if self.latency_ms < 0:
            raise OptionsError("--latency-ms must not be negative")
        if self.first_batch < 1:
            raise OptionsError("first_batch must be at least 1")
        schemes = {a.strip().lower() for a in self.auth}
        if not schemes or not schemes <= {"basic", "ntlm", "kerberos"}:
            raise OptionsError(
                f"--auth {','.join(self.auth)}: choose from basic, ntlm and kerberos, comma-separated"
            )
        if "kerberos" in schemes:
            if not self.keytab:
                raise OptionsError("--auth kerberos needs --keytab FILE with the host's HTTP/<name> keys")
            if importlib.util.find_spec("gssapi") is None:
                raise OptionsError("--auth kerberos needs the Kerberos extra: pip install 'hvtui[kerberos]'")
        elif self.keytab:
            raise OptionsError("--keytab needs kerberos in --auth")
        if bool(self.cert) != bool(self.key):
            raise OptionsError("--cert and --key go together")
        if (self.cert or self.key) and not self.https:
            raise OptionsError("--cert and --key need --https")
        for path in (self.cert, self.key, self.scenario, self.keytab):
            if path and not Path(path).is_file():
                raise OptionsError(f"{path}: no such file")
        if not self.user or ":" in self.user:
            raise OptionsError("--user must be a plain account name")
