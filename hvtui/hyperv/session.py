"""The domain's side of one WS-Man connection: typed queries, Hyper-V methods, error mapping.

Everything below :class:`~hvtui.hyperv.host.HyperVHost` that knows both WMI (class names,
method parameters, Hyper-V return codes) and the protocol client. Protocol errors become
:mod:`hvtui.hyperv.errors` here, once, so the UI and CLI see one vocabulary.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any

from hvtui.hyperv import queries
from hvtui.hyperv.errors import (
    AuthenticationFailed,
    CertificateNotTrusted,
    ConnectionFailed,
    HostFault,
    HostProtocolError,
    HyperVError,
    Problem,
)
from hvtui.hyperv.models import JobProgress
from hvtui.hyperv.states import JobState
from hvtui.hyperv.values import as_int, as_text
from hvtui.uri import ConnectionURI
from hvtui.wsman import (
    EPR,
    AuthenticationError,
    CimInstance,
    ClassSchema,
    ClientClosedError,
    ClientOptions,
    ConfigurationError,
    Credentials,
    EmbeddedInstance,
    FaultError,
    LimitError,
    ProtocolError,
    TLSError,
    TransportError,
    WSManClient,
)

Props = Mapping[str, Any]

# WinRM's answers when a reply would not fit the envelope the client allowed.
_ENCODING_LIMIT_CODES = {2150858805, 2150858824}
# "The service cannot find the resource identified by the resource URI and selectors."
_NOT_FOUND_CODES = {2150858752}

SCHEMAS: dict[str, ClassSchema] = {name: ClassSchema(name, types) for name, types in queries.TYPES.items()}
_SUMMARY_OUTPUT = ClassSchema(
    "GetSummaryInformation_OUTPUT",
    {"SummaryInformation": [SCHEMAS["Msvm_SummaryInformation"]], "ReturnValue": "uint32"},
)
_JOB_OUTPUT = ClassSchema("Output", {"ReturnValue": "uint32"})


class Session:
    """One host's WS-Man client, spoken to in Hyper-V's terms."""

    def __init__(
        self,
        uri: ConnectionURI,
        password: str,
        *,
        ca_file: str | None = None,
        timeout: float = 30.0,
        max_envelope_size: int = 512_000,
    ) -> None:
        self.uri = uri
        self.max_envelope_size = max_envelope_size
        options = ClientOptions(
            auth=uri.auth,
            verify=not uri.no_verify,
            ca_file=ca_file,
            connect_timeout=min(timeout, 10.0),
            operation_timeout=max(timeout, 1.0),
            read_timeout=max(timeout, 1.0) + 10.0,
            total_timeout=max(timeout, 1.0) + 30.0,
            max_envelope_size=max_envelope_size,
            # Basic over plain HTTP only when the user chose both in the URI.
            allow_basic_over_http=uri.transport == "http" and uri.auth == "basic",
        )
        try:
            self.client = WSManClient(uri.endpoint, Credentials(uri.user, password), options)
        except ConfigurationError as exc:
            raise HyperVError(str(exc), problem=Problem.USAGE) from None

    @property
    def stats(self) -> Any:
        return self.client.stats

    def describe(self) -> dict[str, Any]:
        """The connection as the host pane shows it."""
        return {
            "uri": self.uri.canonical,
            "endpoint": self.uri.endpoint,
            "transport": self.uri.transport,
            "auth": self.client.auth_scheme or self.uri.auth,
            "encrypted": self.uri.transport == "https" or self.client.encrypted,
            "tls_verified": self.uri.transport == "https" and not self.uri.no_verify,
        }

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- reads --------------------------------------------------------------------------------

    async def query(self, resource_uri: str, wql: str, class_name: str) -> list[Props]:
        async with self._guard(f"reading {class_name}"):
            found = await self.client.enumerate_all(resource_uri, wql, schema=SCHEMAS.get(class_name))
        return [instance.properties for instance in found]

    async def first(self, resource_uri: str, wql: str, class_name: str) -> Props | None:
        rows = await self.query(resource_uri, wql, class_name)
        return rows[0] if rows else None

    async def computer_system(self, guid: str) -> Props | None:
        """A fresh read of one VM (as libvirt does before each action); None if it is gone."""
        selectors = {"CreationClassName": "Msvm_ComputerSystem", "Name": guid}
        try:
            async with self._guard("reading the VM"):
                found = await self.client.get(
                    queries.COMPUTER_SYSTEM, selectors, schema=SCHEMAS["Msvm_ComputerSystem"]
                )
        except HostFault as exc:
            if _is_not_found(exc):
                return None
            raise
        return found.properties

    async def get_job(self, instance_id: str) -> JobProgress | None:
        try:
            async with self._guard("reading the job"):
                job = await self.client.get(
                    queries.CONCRETE_JOB, {"InstanceID": instance_id}, schema=SCHEMAS["Msvm_ConcreteJob"]
                )
        except HostFault as exc:
            if _is_not_found(exc):
                return None
            raise
        return job_progress(job.properties, instance_id)

    async def summary_information(
        self, setting_ids: Sequence[str] | None, codes: Iterable[int]
    ) -> list[Props]:
        """``GetSummaryInformation``: every VM (``setting_ids`` None) or the VSSDs named."""
        params: list[tuple[str, Any]] = []
        if setting_ids is not None:
            params.append(("SettingData", [EPR(queries.VSSD, {"InstanceID": sid}) for sid in setting_ids]))
        params.append(("RequestedInformation", list(codes)))
        async with self._guard("reading the VM summary"):
            result = await self.client.invoke(
                queries.VSMS, "GetSummaryInformation", _VSMS_SELECTORS, params, schema=_SUMMARY_OUTPUT
            )
        code = as_int(result.return_value)
        if code not in (0, None):
            raise HostFault(f"the host could not summarise its VMs (GetSummaryInformation returned {code})")
        items = result.outputs.get("SummaryInformation")
        if items is None:
            return []
        if not isinstance(items, list | tuple):
            items = [items]
        return [item.properties if isinstance(item, CimInstance) else item for item in items]

    async def shutdown_component(self, guid: str) -> str | None:
        """The DeviceID of the VM's shutdown integration component, or None without one."""
        row = await self.first(queries.V2_ALL, queries.wql_shutdown_of(guid), "Msvm_ShutdownComponent")
        return as_text(row.get("DeviceID")) or None if row else None

    # -- methods (each sent once: an Invoke is never retried) ----------------------------------

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

    async def _invoke(
        self, resource_uri: str, method: str, selectors: Mapping[str, str], params: list[tuple[str, Any]]
    ) -> tuple[int, str | None]:
        async with self._guard(f"sending {method}", invoke=True):
            result = await self.client.invoke(resource_uri, method, selectors, params, schema=_JOB_OUTPUT)
        code = as_int(result.return_value)
        if code is None:
            raise HostProtocolError(f"the host's answer to {method} carried no ReturnValue")
        job_id = result.job.selector("InstanceID") if result.job is not None else None
        return code, job_id if isinstance(job_id, str) else None

    # -- errors -------------------------------------------------------------------------------

    def is_envelope_limit(self, error: BaseException) -> bool:
        cause = getattr(error, "wsman_error", None)
        if isinstance(cause, FaultError):
            return cause.subcode_name == "w:EncodingLimit" or bool(
                set(cause.fault.codes) & _ENCODING_LIMIT_CODES
            )
        return False

    @contextlib.asynccontextmanager
    async def _guard(self, what: str, *, invoke: bool = False) -> AsyncIterator[None]:
        """Turn protocol errors into domain errors with one line that says what to do."""
        host = self.uri.display_host
        try:
            yield
        except AuthenticationError as exc:
            raise _wrap(AuthenticationFailed(str(exc)), exc) from None
        except TLSError as exc:
            raise _wrap(CertificateNotTrusted(str(exc)), exc) from None
        except TransportError as exc:
            message = str(exc)
            if invoke and exc.maybe_processed:
                message += (
                    "; the request may have reached the host, so check the VM's state before asking again"
                )
            raise _wrap(ConnectionFailed(message), exc) from None
        except ClientClosedError as exc:
            raise _wrap(ConnectionFailed(f"{host}: the connection was closed"), exc) from None
        except FaultError as exc:
            raise _wrap(HostFault(f"{host}: {what} failed: {exc}"), exc) from None
        except (ProtocolError, LimitError) as exc:
            raise _wrap(HostProtocolError(str(exc)), exc) from None
        except ConfigurationError as exc:
            raise _wrap(HyperVError(str(exc), problem=Problem.USAGE), exc) from None


_VSMS_SELECTORS = {"CreationClassName": "Msvm_VirtualSystemManagementService"}


def _wrap(error: HyperVError, cause: Exception) -> HyperVError:
    error.wsman_error = cause  # type: ignore[attr-defined]
    return error


def _is_not_found(error: HyperVError) -> bool:
    cause = getattr(error, "wsman_error", None)
    if not isinstance(cause, FaultError):
        return False
    subcode = cause.subcode[1] if cause.subcode else ""
    return subcode == "DestinationUnreachable" or bool(set(cause.fault.codes) & _NOT_FOUND_CODES)


def job_progress(props: Props, instance_id: str) -> JobProgress:
    elapsed = props.get("ElapsedTime")
    return JobProgress(
        instance_id=as_text(props.get("InstanceID")) or instance_id,
        state=JobState.from_value(as_int(props.get("JobState"))),
        percent=as_int(props.get("PercentComplete")),
        error_code=as_int(props.get("ErrorCode")),
        error_description=as_text(props.get("ErrorDescription")) or None,
        elapsed=elapsed if hasattr(elapsed, "total_seconds") else None,
        description=as_text(props.get("Description")) or as_text(props.get("Caption")) or None,
    )
