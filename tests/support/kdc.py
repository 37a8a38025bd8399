"""A real MIT Kerberos realm on loopback, made in a temporary folder for one test session.

Kerberos is only worth testing against the real thing: a fake KDC would agree with whatever the
code under test believes. :class:`TestRealm` runs ``kdb5_util``/``kadmin.local`` to create a
database with a user and the host's service principals, writes a keytab for those, and runs
``krb5kdc`` in the foreground on a free 127.0.0.1 port (TCP only).

The realm touches nothing outside its folder: its ``krb5.conf`` is reached through
``KRB5_CONFIG`` (see :meth:`TestRealm.env`), credential caches live in the folder, and replay
caches too. Passwords go to the MIT tools on stdin, never in argv.

Clock skew: MIT clients correct their clock from a KDC's skew error when ``kdc_timesync`` is on
(Debian's default), so a skewed client would never see the error. The realm's ``krb5.conf``
turns it off, and a test moves a child process's clock with libfaketime
(:meth:`TestRealm.faketime_env`): a client, ``kinit`` or a simulator, each in its own process.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REALM = "HVTUI.TEST"
USER = "alice"
USER_PASSWORD = "Kerb-Passw0rd!"
# Names the simulated host answers to; the client builds its SPN from one of them.
HOST_NAMES = ("localhost", "127.0.0.1", "hv01.hvtui.test")
SERVICES = ("HTTP", "WSMAN")
TOOLS = ("krb5kdc", "kdb5_util", "kadmin.local", "kinit", "klist")  # and libfaketime
_SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")
_ENCTYPES = "aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal"


def find_tool(name: str) -> str | None:
    """A MIT tool's path; the KDC tools live in sbin, which a user's PATH may lack."""
    path = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN])
    return shutil.which(name, path=path)


def missing_reason() -> str | None:
    """Why a real realm cannot run here, or None when it can."""
    absent = [t for t in TOOLS if find_tool(t) is None] + ([] if _libfaketime() else ["libfaketime"])
    if absent:
        return (
            f"MIT Kerberos tools missing ({', '.join(absent)}): "
            "apt-get install krb5-kdc krb5-admin-server krb5-user faketime"
        )
    for module in ("gssapi", "krb5"):
        try:
            __import__(module)
        except ImportError:
            return f"python package {module!r} missing: pip install 'hvtui[kerberos]'"
    return None


def _libfaketime() -> str | None:
    patterns = ("/usr/lib/*/faketime/libfaketime.so.1", "/usr/lib/faketime/libfaketime.so.1")
    found = sorted(path for pattern in patterns for path in glob.glob(pattern))
    return found[0] if found else None


class KerberosToolError(RuntimeError):
    """A MIT tool failed; the message carries its stderr."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestRealm:
    """One realm: ``start()`` creates the database and runs the KDC, ``stop()`` ends it."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, folder: Path, realm: str = REALM) -> None:
        self.folder = folder
        self.realm = realm
        self.port = 0
        self.user = f"{USER}@{realm}"
        self.user_password = USER_PASSWORD
        self.krb5_conf = folder / "krb5.conf"
        self.kdc_conf = folder / "kdc.conf"
        self.keytab = folder / "service.keytab"
        self.rcache = folder / "rcache"
        self.log = folder / "kdc.log"
        self._kdc: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        return f"TestRealm({self.realm!r}, port={self.port})"

    # --- environment ----------------------------------------------------------------------------

    def env(self, ccache: Path | None = None) -> dict[str, str]:
        """Variables that point MIT Kerberos at this realm (and at ``ccache``, when given)."""
        env = {
            "KRB5_CONFIG": str(self.krb5_conf),
            "KRB5_KDC_PROFILE": str(self.kdc_conf),
            "KRB5RCACHEDIR": str(self.rcache),
        }
        if ccache is not None:
            env["KRB5CCNAME"] = f"FILE:{ccache}"
        return env

    def spn(self, host: str = HOST_NAMES[0], service: str = "HTTP") -> str:
        return f"{service}/{host}@{self.realm}"

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self) -> TestRealm:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.rcache.mkdir(exist_ok=True)
        for attempt in range(5):
            self.port = _free_port()
            self._write_config()
            if attempt == 0:
                self._create_database()
            if self._run_kdc():
                return self
        raise KerberosToolError(f"krb5kdc did not start; see {self.log}")

    def stop(self) -> None:
        kdc, self._kdc = self._kdc, None
        if kdc is None:
            return
        kdc.terminate()
        try:
            kdc.wait(10)
        except subprocess.TimeoutExpired:
            kdc.kill()
            kdc.wait(5)

    def __enter__(self) -> TestRealm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _write_config(self) -> None:
        d = self.folder
        self.krb5_conf.write_text(
            f"""[libdefaults]
    default_realm = {self.realm}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    dns_canonicalize_hostname = false
    udp_preference_limit = 1
    kdc_timesync = 0
    default_ccache_name = FILE:{d}/default.ccache
    default_client_keytab_name = FILE:{d}/no-client.keytab
    permitted_enctypes = aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96

[realms]
    {self.realm} = {{
        kdc = 127.0.0.1:{self.port}
        admin_server = 127.0.0.1:1
    }}

[domain_realm]
    .hvtui.test = {self.realm}
    hvtui.test = {self.realm}
    localhost = {self.realm}
    127.0.0.1 = {self.realm}
""",
            encoding="utf-8",
        )
        self.kdc_conf.write_text(
            f"""[kdcdefaults]
    kdc_listen = 127.0.0.1:{self.port}
    kdc_tcp_listen = 127.0.0.1:{self.port}

[realms]
    {self.realm} = {{
        database_name = {d}/principal
        key_stash_file = {d}/stash
        acl_file = {d}/kadm5.acl
        max_life = 10h
        max_renewable_life = 1d
        supported_enctypes = {_ENCTYPES}
    }}

[logging]
    kdc = FILE:{self.log}
    admin_server = FILE:{d}/kadmin.log
    default = FILE:{d}/krb5lib.log
""",
            encoding="utf-8",
        )
        (d / "kadm5.acl").write_text("", encoding="utf-8")

    def _create_database(self) -> None:
        master = os.urandom(12).hex()
        self._tool(["kdb5_util", "create", "-s", "-r", self.realm], stdin=f"{master}\n{master}\n")
        self.add_principal(self.user, self.user_password, "+requires_preauth")  # as Active Directory does
        principals = [f"{s}/{h}@{self.realm}" for s in SERVICES for h in HOST_NAMES]
        for p in principals:
            self.add_principal(p)
        self.write_keytab(self.keytab, principals)

    def _run_kdc(self) -> bool:
        kdc = find_tool("krb5kdc")
        assert kdc is not None
        with self.log.open("ab") as log:
            proc = subprocess.Popen(
                [kdc, "-n", "-r", self.realm],
                env={**os.environ, **self.env()},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False  # most likely the port was taken meanwhile: try another
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 0.2):
                self._kdc = proc
                return True
            time.sleep(0.05)
        proc.kill()
        proc.wait(5)
        return False

    # --- administration -------------------------------------------------------------------------

    def add_principal(self, principal: str, password: str | None = None, *options: str) -> None:
        """Add ``principal`` with ``password``, or with a random key when None."""
        if password is None:
            self._kadmin(f"addprinc -randkey {' '.join(options)} {principal}")
        else:
            self._kadmin(f"addprinc {' '.join(options)} {principal}", stdin=f"{password}\n{password}\n")

    def set_password(self, principal: str, password: str) -> None:
        self._kadmin(f"cpw {principal}", stdin=f"{password}\n{password}\n")

    def write_keytab(self, path: Path, principals: Sequence[str]) -> Path:
        """A keytab with the current keys of ``principals`` (their kvno stays as it is)."""
        self._kadmin(f"ktadd -k {path} -norandkey {' '.join(principals)}")
        path.chmod(0o600)
        return path

    def kinit(self, ccache: Path, principal: str | None = None, password: str | None = None,
              *, lifetime: str | None = None, faketime: str | None = None) -> None:  # fmt: skip
        """Get a TGT into ``ccache`` as ``kinit`` does, or raise KerberosToolError with its message."""
        argv = ["kinit", *(["-l", lifetime] if lifetime else []), principal or self.user]
        secret = self.user_password if password is None else password
        self._tool(argv, stdin=secret + "\n", extra=self.env(ccache), faketime=faketime)

    def faketime_env(self, offset: str) -> dict[str, str]:
        """Variables that run a child process with its clock moved by ``offset`` (``+1h``, ``-10m``).

        libfaketime preloaded straight into the process, not the ``faketime`` wrapper: the wrapper
        does not pass on signals, so a server under it would not stop.
        """
        library = _libfaketime()
        if library is None:
            raise KerberosToolError("libfaketime is missing: apt-get install faketime")
        return {"LD_PRELOAD": library, "FAKETIME": offset}

    def _kadmin(self, query: str, stdin: str = "") -> None:
        self._tool(["kadmin.local", "-r", self.realm, "-q", query], stdin=stdin)

    def _tool(self, argv: list[str], stdin: str = "", extra: Mapping[str, str] | None = None,
              faketime: str | None = None) -> str:  # fmt: skip
        path = find_tool(argv[0])
        if path is None:
            raise KerberosToolError(f"{argv[0]} is not installed")
        clock = self.faketime_env(faketime) if faketime else {}
        proc = subprocess.run(
            [path, *argv[1:]],
            input=stdin.encode(),
            capture_output=True,
            env={**os.environ, **self.env(), **(extra or {}), **clock},
            timeout=60,
            check=False,
        )
        err = proc.stderr.decode(errors="replace")
        # kadmin.local reports a failed query on stderr ("... while ...") and exits 0.
        if proc.returncode != 0 or " while " in err:
            raise KerberosToolError(" ".join(err.split()) or f"{argv[0]}: exit status {proc.returncode}")
        return proc.stdout.decode(errors="replace")
