"""The domain's side of one WS-Man connection: typed queries, Hyper-V methods, error mapping.

Everything below :class:`~hvtui.hyperv.host.HyperVHost` that knows both WMI (class names,
method parameters, Hyper-V return codes) and the protocol client. Protocol errors become
:mod:`hvtui.hyperv.errors` here, once, so the UI and CLI see one vocabulary.

Reads return plain mappings of typed values, decoded here as each reply arrives (only the
properties :data:`~hvtui.hyperv.queries.TYPES` declares, which are the ones read): a value
that does not fit its type fails the read that brought it, as a HostProtocolError, and the
code above works on finished values that cannot raise a protocol error. A read that passes
the most answers its query can have fails the same way; one in progress shows how far it
has got in :attr:`Session.reading`.

Time: the host timeout S bounds each request, all of it -- authentication legs, a resend,
the further tries of a read after a passing failure (a 503, a reset), and the pauses
between them; the host is asked to answer a little sooner (OperationTimeout), so that when
it cannot, its w:TimedOut still arrives within S. Invokes are sent once, never tried again.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any

from hvtui.hyperv import queries
from hvtui.hyperv.errors import (
    HostFault,
    HostProtocolError,
    HyperVError,
    Problem,
)
from hvtui.hyperv.jobs import job_progress
from hvtui.hyperv.lenient import as_int, as_text
from hvtui.hyperv.models import Connection, JobProgress, ReadProgress
from hvtui.hyperv.queries import Read
from hvtui.hyperv.translate import is_not_found, may_have_run, translate
from hvtui.uri import ConnectionURI
from hvtui.wsman import (
    EPR,
    CimInstance,
    ClassSchema,
    ClientOptions,
    ClientStats,
    ConfigurationError,
    Credentials,
    EmbeddedInstance,
    FaultError,
    TooManyItems,
    WSManClient,
    WSManError,
    faults,
)

#: One instance as the session returns it: property name (as TYPES spells it) -> typed value.
Props = Mapping[str, Any]

#: Seconds a host may take to answer one request, unless the user says otherwise.
DEFAULT_TIMEOUT = 30.0
#: Further tries of a read after a passing failure, within the host timeout: a host that
#: fails a third of its requests then fails a read once in a thousand.
READ_RETRIES = 6

# WinRM's answers when a reply would not fit the envelope the client allowed.
_ENCODING_LIMIT_CODES = {faults.WSMAN_ENCODING_LIMIT, faults.WSMAN_MAX_ENVELOPE_EXCEEDED}
# "The service cannot find the resource identified by the resource URI and selectors."

SCHEMAS: dict[str, ClassSchema] = {name: ClassSchema(name, types) for name, types in queries.TYPES.items()}
SCHEMAS["Msvm_SummaryInformation"] = SCHEMAS["Msvm_SummaryInformation"].merged(
    ClassSchema("Msvm_SummaryInformation", {"AsynchronousTasks": [SCHEMAS["Msvm_ConcreteJob"]]})
)
SCHEMAS["Msvm_KvpExchangeComponent"] = SCHEMAS["Msvm_KvpExchangeComponent"].merged(
    ClassSchema(
        "Msvm_KvpExchangeComponent", {"GuestIntrinsicExchangeItems": [SCHEMAS["Msvm_KvpExchangeDataItem"]]}
    )
)
_DISK_OUTPUTS = {
    "GetVirtualHardDiskSettingData": ("SettingData", "Msvm_VirtualHardDiskSettingData"),
    "GetVirtualHardDiskState": ("State", "Msvm_VirtualHardDiskState"),
}
# Msvm_ImageManagementService's answer for a file no VM uses (and that does not exist).
_FILE_NOT_FOUND = 32779
#: GetSummaryInformation's outputs as the refresh reads them (the benchmarks time the same).
SUMMARY_OUTPUT = ClassSchema(
    "GetSummaryInformation_OUTPUT",
    {"SummaryInformation": [SCHEMAS["Msvm_SummaryInformation"]], "ReturnValue": "uint32"},
)
_JOB_OUTPUT = ClassSchema("Output", {"ReturnValue": "uint32"})
# ImageData is a uint8[] that WinRM writes as base64 in one element (libvirt decodes it so).
_THUMBNAIL_OUTPUT = ClassSchema("GetVirtualSystemThumbnailImage_OUTPUT", {"ImageData": "string"})


class Session:
    """One host's WS-Man client, spoken to in Hyper-V's terms."""

    def __init__(
        self,
        uri: ConnectionURI,
        credentials: Credentials,
        *,
        ca_file: str | None = None,
        tls_pin: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_envelope_size: int = ClientOptions.max_envelope_size,
        connections: int = 1,
    ) -> None:
        self.uri = uri
        self.max_envelope_size = max_envelope_size
        self.timeout = max(float(timeout), MIN_TIMEOUT)
        #: The read in progress and how far it has got; None between reads.
        self.reading: ReadProgress | None = None
        self._reads: dict[object, ReadProgress | None] = {}  # reads in progress, in the order begun
        operation, read, total = exchange_timeouts(timeout)
        try:
            options = ClientOptions(
                auth=uri.auth,
                spn=uri.service_principal,
                verify=not uri.no_verify,
                ca_file=ca_file,
                tls_pin=tls_pin if uri.transport == "https" else None,
                connect_timeout=min(operation, 10.0),
                operation_timeout=operation,
                read_timeout=read,
                total_timeout=total,
                read_retries=READ_RETRIES,
                max_envelope_size=max_envelope_size,
                connections=connections,
                # Basic over plain HTTP only when the user chose both in the URI.
                allow_basic_over_http=uri.transport == "http" and uri.auth == "basic",
            )
            self.client = WSManClient(uri.endpoint, credentials, options)
        except ConfigurationError as exc:
            raise HyperVError(str(exc), problem=Problem.USAGE) from None

    @property
    def stats(self) -> ClientStats:
        return self.client.stats

    def describe(self) -> Connection:
        """The connection as the host pane shows it."""
        return Connection(
            uri=self.uri.canonical,
            endpoint=self.uri.endpoint,
            transport=self.uri.transport,
            auth=self.client.auth_scheme or self.uri.auth,
            encrypted=self.uri.transport == "https" or self.client.encrypted,
            tls_verified=bool(self.client.tls_verified),
            tls_pin=self.client.options.tls_pin if self.uri.transport == "https" else None,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- reads --------------------------------------------------------------------------------

    async def query(
        self, read: Read, *, each_page: Callable[[list[Props]], None] | None = None
    ) -> list[Props]:
        """Every answer to ``read``; past ``read.most`` of them, a HostProtocolError.

        ``each_page`` is handed each page's answers as they come, untyped (a cold read names
        the VMs' summaries from them while later pages travel); a restarted read hands them again.
        """

        self._reads[key := object()] = None

        def on_page(count: int) -> None:
            self._reads[key] = ReadProgress(read.things, count)
            self._show_reading()

        def on_items(page: list[CimInstance]) -> None:
            if each_page is not None:
                each_page([instance.properties for instance in page])

        try:
            async with self._guard(f"reading {read.class_name}"):
                try:
                    found = await self.client.enumerate_all(
                        read.resource_uri,
                        read.wql,
                        schema=SCHEMAS[read.class_name],
                        max_items=read.most,
                        on_page=on_page,
                        on_items=on_items,
                    )
                except TooManyItems as exc:
                    if exc.limit != read.most:
                        raise
                    raise HostProtocolError(
                        f"{self.uri.display_host}: the host returned more than {read.named(read.most)}, "
                        "more than a host can have: refused",
                        cause=exc,
                    ) from None
                return [instance.properties.typed() for instance in found]
        finally:
            del self._reads[key]
            self._show_reading()

    def _show_reading(self) -> None:
        # Of the reads in progress at once (a cold read), the one begun first: the VMs' class.
        self.reading = next((p for p in self._reads.values() if p is not None), None)

    async def first(self, read: Read) -> Props | None:
        rows = await self.query(read)
        return rows[0] if rows else None

    async def computer_system(self, guid: str) -> Props | None:
        """A fresh read of one VM (as libvirt does before each action); None if it is gone."""
        selectors = {"CreationClassName": "Msvm_ComputerSystem", "Name": guid}
        try:
            async with self._guard("reading the VM"):
                found = await self.client.get(
                    queries.COMPUTER_SYSTEM, selectors, schema=SCHEMAS["Msvm_ComputerSystem"]
                )
                return found.properties.typed()
        except HostFault as exc:
            if is_not_found(exc):
                return None
            raise

    async def get_job(self, instance_id: str) -> JobProgress | None:
        try:
            async with self._guard("reading the job"):
                job = await self.client.get(
                    queries.CONCRETE_JOB, {"InstanceID": instance_id}, schema=SCHEMAS["Msvm_ConcreteJob"]
                )
                props = job.properties.typed()
        except HostFault as exc:
            if is_not_found(exc):
                return None
            raise
        return job_progress(props, instance_id)

    async def summary_information(
        self, setting_ids: Sequence[str] | None, codes: Iterable[int]
    ) -> tuple[list[Props], int]:
        """``GetSummaryInformation``: every VM (``setting_ids`` None) or the VSSDs named, and the
        size in bytes of the reply they came in."""
        params: list[tuple[str, Any]] = []
        if setting_ids is not None:
            params.append(("SettingData", [EPR(queries.VSSD, {"InstanceID": sid}) for sid in setting_ids]))
        params.append(("RequestedInformation", list(codes)))
        what = "reading the VM summary"
        async with self._guard(what):
            result = await self.client.invoke(
                queries.VSMS,
                "GetSummaryInformation",
                _VSMS_SELECTORS,
                params,
                schema=SUMMARY_OUTPUT,
                declared_only=True,  # 13 of a summary's 42 properties are read; skip the rest in C
            )
            code = as_int(result.return_value)
            items = result.outputs.get("SummaryInformation")
            if code not in (0, None):
                raise HostFault(
                    f"the host could not summarise its VMs (GetSummaryInformation returned {code})"
                )
            if items is None:
                return [], result.reply_bytes
            if not isinstance(items, list):
                items = [items]
            if not all(isinstance(item, CimInstance) for item in items):
                raise HostProtocolError(
                    f"{self.uri.display_host}: {what}: the host's SummaryInformation holds something "
                    "other than instances"
                )
            return [item.properties.typed() for item in items], result.reply_bytes

    async def disk_image(self, method: str, path: str) -> Props | None:
        """What Msvm_ImageManagementService's ``method`` (GetVirtualHardDiskSettingData or
        GetVirtualHardDiskState) says of a disk file: its embedded instance, None for a file the
        host does not find. A read: asking again changes nothing on the host."""
        name, class_name = _DISK_OUTPUTS[method]
        output = ClassSchema(f"{method}_OUTPUT", {name: SCHEMAS[class_name], "ReturnValue": "uint32"})
        async with self._guard(f"reading the disk {path}"):
            result = await self.client.invoke(
                queries.IMAGE_SERVICE,
                method,
                {"CreationClassName": "Msvm_ImageManagementService"},
                [("Path", path)],
                schema=output,
            )
            code = as_int(result.return_value)
            found = result.outputs.get(name)
        if code == _FILE_NOT_FOUND:
            return None
        if code != 0:
            raise HostFault(f"{self.uri.display_host}: {method} returned {code} for {path}")
        if not isinstance(found, CimInstance):
            raise HostProtocolError(f"{self.uri.display_host}: {method} answered without {name}")
        return found.properties.typed()

    async def shutdown_component(self, guid: str) -> str | None:
        """The DeviceID of the VM's shutdown integration component, or None without one."""
        row = await self.first(queries.shutdown_of(guid))
        return as_text(row.get("DeviceID")) or None if row else None

    async def thumbnail_image(self, vssd_id: str, width: int, height: int) -> tuple[int, bytes | None, int]:
        """``GetVirtualSystemThumbnailImage``: (ReturnValue, the RGB565 bytes, the reply's size)."""
        params: list[tuple[str, Any]] = [
            ("TargetSystem", EPR(queries.VSSD, {"InstanceID": vssd_id})),
            ("WidthPixels", width),
            ("HeightPixels", height),
        ]
        what = "reading the VM's screen"
        async with self._guard(what):
            result = await self.client.invoke(
                queries.VSMS,
                "GetVirtualSystemThumbnailImage",
                _VSMS_SELECTORS,
                params,
                schema=_THUMBNAIL_OUTPUT,
            )
        code = as_int(result.return_value)
        if code is None:
            raise HostProtocolError(f"{self.uri.display_host}: {what}: the answer carried no ReturnValue")
        data = result.outputs.get("ImageData")
        if data is None:
            return code, None, result.reply_bytes
        try:
            image = base64.b64decode(data if isinstance(data, str) else "", validate=True)
        except (binascii.Error, ValueError):
            raise HostProtocolError(f"{self.uri.display_host}: {what}: ImageData is not base64") from None
        return code, image, result.reply_bytes

    # -- methods (each sent once: an Invoke is never retried) ----------------------------------

    async def keyboard(self, guid: str, device_id: str, method: str, params: list[tuple[str, Any]]) -> int:
        """One Msvm_Keyboard method (PressKey, TypeText ...); its ReturnValue."""
        selectors = {
            "CreationClassName": "Msvm_Keyboard",
            "DeviceID": device_id,
            "SystemCreationClassName": "Msvm_ComputerSystem",
            "SystemName": guid,
        }
        code, _ = await self._invoke(queries.KEYBOARD, method, selectors, params)
        return code

    async def request_state_change(self, guid: str, requested_state: int) -> tuple[int, str | None]:
        selectors = {"CreationClassName": "Msvm_ComputerSystem", "Name": guid}
        return await self._invoke(
            queries.COMPUTER_SYSTEM, "RequestStateChange", selectors, [("RequestedState", requested_state)]
        )

    async def initiate_shutdown(self, guid: str, device_id: str) -> tuple[int, str | None]:
        selectors = {
            "CreationClassName": "Msvm_ShutdownComponent",
            "DeviceID": device_id,
            "SystemCreationClassName": "Msvm_ComputerSystem",
            "SystemName": guid,
        }
        params = [("Force", False), ("Reason", "Planned shutdown via hvtui")]
        return await self._invoke(queries.SHUTDOWN_COMPONENT, "InitiateShutdown", selectors, params)

    async def modify_system_settings(
        self, vssd_id: str, changes: Mapping[str, Any], types: Mapping[str, str]
    ) -> tuple[int, str | None]:
        instance = EmbeddedInstance(
            "Msvm_VirtualSystemSettingData",
            {"InstanceID": vssd_id, **changes},
            {"InstanceID": "string", **types},
        )
        return await self._invoke(
            queries.VSMS, "ModifySystemSettings", _VSMS_SELECTORS, [("SystemSettings", instance)]
        )

    async def modify_resource_settings(
        self, class_name: str, instance_id: str, changes: Mapping[str, Any], types: Mapping[str, str]
    ) -> tuple[int, str | None]:
        instance = EmbeddedInstance(
            class_name, {"InstanceID": instance_id, **changes}, {"InstanceID": "string", **types}
        )
        return await self._invoke(
            queries.VSMS, "ModifyResourceSettings", _VSMS_SELECTORS, [("ResourceSettings", [instance])]
        )

    async def snapshot_service(self, method: str, params: list[tuple[str, Any]]) -> tuple[int, str | None]:
        """One Msvm_VirtualSystemSnapshotService method: (ReturnValue, the job's InstanceID)."""
        return await self._invoke(queries.SNAPSHOT_SERVICE, method, _SNAPSHOT_SELECTORS, params)

    async def _invoke(
        self, resource_uri: str, method: str, selectors: Mapping[str, str], params: list[tuple[str, Any]]
    ) -> tuple[int, str | None]:
        code, job_id, _ = await self.call(resource_uri, method, selectors, params)
        return code, job_id

    async def call(
        self, resource_uri: str, method: str, selectors: Mapping[str, str], params: list[tuple[str, Any]]
    ) -> tuple[int, str | None, dict[str, list[dict[str, str]]]]:
        """Send a method once: its ReturnValue, its job's InstanceID, and the references it
        returned (each output parameter's, as their selectors: ResultingSystem, ...)."""
        async with self._guard(f"sending {method}", invoke=True):
            result = await self.client.invoke(resource_uri, method, selectors, params, schema=_JOB_OUTPUT)
            code = as_int(result.return_value)
            job_id = result.job.selector("InstanceID") if result.job is not None else None
        if code is None:
            raise HostProtocolError(may_have_run(f"the host's answer to {method} carried no ReturnValue"))
        refs: dict[str, list[dict[str, str]]] = {}
        for name, value in result.outputs.items():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, EPR) and name != "Job":
                    keys = {k: v for k, v in item.selectors.items() if isinstance(v, str)}
                    refs.setdefault(name, []).append(keys)
        return code, job_id if isinstance(job_id, str) else None, refs

    # -- errors -------------------------------------------------------------------------------

    def is_envelope_limit(self, error: HyperVError) -> bool:
        cause = error.cause
        if isinstance(cause, FaultError):
            return cause.subcode_name == "w:EncodingLimit" or bool(
                set(cause.fault.codes) & _ENCODING_LIMIT_CODES
            )
        return False

    @contextlib.asynccontextmanager
    async def _guard(self, what: str, *, invoke: bool = False) -> AsyncIterator[None]:
        """Turn protocol errors into domain errors with one line that says what to do."""
        try:
            yield
        except WSManError as exc:
            raise self._translate(exc, what, invoke) from None

    def _translate(self, exc: WSManError, what: str, invoke: bool) -> HyperVError:
        return translate(exc, what, invoke=invoke, host=self.uri.display_host, timeout=self.timeout)


_VSMS_SELECTORS = {"CreationClassName": "Msvm_VirtualSystemManagementService"}
_SNAPSHOT_SELECTORS = {"CreationClassName": "Msvm_VirtualSystemSnapshotService"}

MIN_TIMEOUT = 0.1


def exchange_timeouts(timeout: float) -> tuple[float, float, float]:
    """(OperationTimeout, read timeout, whole-request deadline) for a host ``timeout``.

    The request, all of it, is given up at ``timeout``: that is the deadline, and no
    silence may last longer either. The host is asked to answer a fifth sooner (at most
    5 s sooner), so that a w:TimedOut it sends when it cannot still crosses the network
    in time, rather than the client cutting the connection (and its authentication) off.
    """
    total = max(float(timeout), MIN_TIMEOUT)
    return total - min(total / 5, 5.0), total, total
