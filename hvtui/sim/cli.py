"""``hvtui sim`` / ``python -m hvtui.sim``: run simulated Hyper-V hosts in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from hvtui.password_file import PasswordFileError, read_password_file
from hvtui.sim import injection
from hvtui.sim.releases import RELEASES
from hvtui.sim.sim_options import OptionsError, SimOptions
from hvtui.sim.simulator import Simulator

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"hvtui sim: {message} (see hvtui sim --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="hvtui sim",
        description="Serve simulated Microsoft Hyper-V hosts over WS-Management (WinRM), for demos, "
        "tests and benchmarks. Binds 127.0.0.1 unless --host says otherwise.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Fault rules (--faults):\n" + "\n".join((injection.__doc__ or "").splitlines()[2:]),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="first port; host i uses port+i; 0 = any free port "
                   "(default 5985, or 5986 with --https)")  # fmt: skip
    p.add_argument(
        "--https", action="store_true", help="serve HTTPS (a self-signed certificate unless --cert/--key)"
    )
    p.add_argument("--cert", help="PEM certificate (chain) for --https")
    p.add_argument("--key", help="PEM private key for --https")
    p.add_argument("--hosts", type=int, default=1, help="number of hosts, on consecutive ports (default 1)")
    p.add_argument("--vms", default="20", help="VMs per host: N (0..10000) or a range LOW-HIGH (default 20)")
    p.add_argument("--release", default="2022", help="Windows release: " + "|".join(RELEASES)
                   + "; a comma list is cycled over hosts (default 2022)")  # fmt: skip
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the generated inventory and of faults (default 0)"
    )
    p.add_argument("--user", default="administrator", help="account name (default administrator)")
    p.add_argument(
        "--password-file", help="file whose first line is the password (default: a random one, printed)"
    )
    p.add_argument(
        "--auth",
        default="basic,ntlm",
        help="schemes offered, comma-separated: basic, ntlm, kerberos (default basic,ntlm)",
    )
    p.add_argument("--keytab", help="keytab with the hosts' service keys (HTTP/<name>), for --auth kerberos; "
                   "point KRB5_CONFIG at the realm's krb5.conf")  # fmt: skip
    p.add_argument("--allow-unencrypted", action="store_true",
                   help="accept unencrypted traffic on HTTP (Basic, or NTLM without message encryption)")  # fmt: skip  # noqa: E501
    p.add_argument("--latency-ms", type=float, default=0.0, help="round trip added to every exchange, in ms")
    p.add_argument("--faults", default="", help="fault rules, see below")
    p.add_argument("--legacy-states", action="store_true", help="report 32768/32769 for paused/saved")
    p.add_argument("--scenario", help="TOML file with exact hosts and VMs")
    p.add_argument(
        "--max-envelope-kb", type=int, default=500, help="largest reply, as WinRM's MaxEnvelopeSizekb (500)"
    )
    p.add_argument(
        "--time-scale", type=float, default=1.0, help="simulated durations run this many times faster"
    )
    return p


def options_from(args: argparse.Namespace) -> SimOptions:
    password = None
    if args.password_file:
        try:
            password = read_password_file(args.password_file)  # the client's reading and refusals
        except PasswordFileError as exc:
            raise OptionsError(str(exc)) from None
    vms: int | str = int(args.vms) if str(args.vms).strip().isdigit() else args.vms
    port = args.port if args.port is not None else (5986 if args.https else 5985)
    injection.parse_spec(args.faults)
    return SimOptions(
        hosts=args.hosts,
        vms=vms,
        release=args.release,
        seed=args.seed,
        https=args.https,
        password=password,
        auth=tuple(a.strip() for a in args.auth.split(",") if a.strip()),
        allow_unencrypted=args.allow_unencrypted,
        latency_ms=args.latency_ms,
        faults=args.faults,
        legacy_states=args.legacy_states,
        scenario=args.scenario,
        time_scale=args.time_scale,
        max_envelope_kb=args.max_envelope_kb,
        host=args.host,
        port=port,
        cert=args.cert,
        key=args.key,
        keytab=args.keytab,
        user=args.user,
    )


async def _serve(sim: Simulator) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await sim.astart()
    out = sys.stdout
    if sim.generated_password:
        out.write(f"password (all hosts, user {sim.options.user}): {sim.hosts[0].password}\n")
    if sim.fingerprint:
        out.write(f"TLS certificate SHA-256 fingerprint: {sim.fingerprint}\n")
    for h in sim.hosts:
        out.write(f"{h.uri}  {h.name}  release={h.release}  vms={h.vm_count}\n")
    out.flush()
    try:
        await stop.wait()
    finally:
        await sim.astop()
        for h in sim.hosts:
            counts = h.counters.as_dict()
            text = " ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "no requests"
            out.write(f"{h.name}: {text}\n")
        out.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        sim = Simulator(options_from(args))
        asyncio.run(_serve(sim))
    except OptionsError as exc:
        sys.stderr.write(f"hvtui sim: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 0
    return 0
