"""The WS-Management service of one simulated host: routes a parsed request to its operation.

Identify, Enumerate/Pull/Release (WQL, selector filter, EPR modes), Get (WMI classes and the
``wsman/1/config`` resource) and Invoke. Every error is a :class:`SoapFault` shaped like WinRM's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from lxml import etree

from hvtui import namespaces as ns
from hvtui.sim import define, keyboard, methods, resources, thumbnail, vhd, vhd_create, vhd_methods
from hvtui.sim import envelope as env
from hvtui.sim import soap_faults as faults
from hvtui.sim.enumeration import ContextStore, enumerate_response, pull_response
from hvtui.sim.instances import Instance, instances_of
from hvtui.sim.model import HostModel
from hvtui.sim.queries import Result, run, with_system_props
from hvtui.sim.render import epr_element, render_fragment, render_instance
from hvtui.sim.schema import NAMESPACE_URIS, CimClass, find_class
from hvtui.sim.soap_request import Request, child, text_of
from hvtui.sim.wql import WQLError

MIN_ENVELOPE = 8192
SINGLETONS = {
    "msvm_virtualsystemmanagementservice",
    "win32_operatingsystem",
    "win32_computersystem",
    "win32_computersystemproduct",
    "msvm_imagemanagementservice",
    "msvm_virtualsystemmanagementservicesettingdata",
}
ENUM_MODES = {"EnumerateEPR": "epr", "EnumerateObjectAndEPR": "objepr"}


@dataclass
class Caller:
    """Who is calling and how: shapes Identify, fault Machine attributes and quotas."""

    machine: str
    user: str = ""
    authenticated: bool = True
    https: bool = False


def operation_name(req: Request) -> str:
    """The counter / fault-rule name of a request: Identify, Enumerate, Pull, Release, Get, Invoke:<M>."""
    if req.identify:
        return "Identify"
    action = req.action or ""
    for name, full in (
        ("Enumerate", ns.ACTION_ENUMERATE),
        ("Pull", ns.ACTION_PULL),
        ("Release", ns.ACTION_RELEASE),
        ("Get", ns.ACTION_GET),
    ):
        if action == full:
            return name
    if action.startswith(ns.WMI_BASE) and "/" in action:
        return "Invoke:" + action.rsplit("/", 1)[1]
    return action.rsplit("/", 1)[-1] or "Unknown"


@dataclass
class Target:
    namespace: str | None  # "root/virtualization/v2" ...
    class_name: str | None  # a class, "*" for the wildcard, None when not a WMI URI
    uri: str


def parse_resource_uri(uri: str | None) -> Target:
    uri = (uri or "").strip()
    if uri.lower().startswith(ns.WMI_BASE.lower()):
        tail = uri[len(ns.WMI_BASE) :].strip("/")
        namespace, _, cls = tail.rpartition("/")
        known = {k.lower(): k for k in NAMESPACE_URIS}
        return Target(known.get(namespace.lower(), namespace.lower()), cls, uri)
    return Target(None, None, uri)


class WSManService:
    def __init__(
        self,
        model: HostModel,
        *,
        first_batch: int,
        max_envelope_kb: int,
        enumeration_timeout_ms: int,
        max_operations: int,
        config: Callable[[], dict[str, Any]],
    ) -> None:
        self.model = model
        self.first_batch = first_batch
        self.max_envelope = max_envelope_kb * 1024
        self.contexts = ContextStore(enumeration_timeout_ms, max_operations)
        self.config = config

    @property
    def name(self) -> str:
        return self.model.spec.name

    # --- entry --------------------------------------------------------------------------------

    def handle(self, req: Request, caller: Caller) -> str:
        with self.model.lock:
            self.model.tick()
            if req.identify:
                return self.identify(caller)
            op = operation_name(req)
            handler = {
                "Enumerate": self.enumerate,
                "Pull": self.pull,
                "Release": self.release,
                "Get": self.get,
            }.get(op)
            if handler is not None:
                return handler(req, caller)
            if op.startswith("Invoke:"):
                return self.invoke(req, caller)
            target = parse_resource_uri(req.resource_uri)
            if target.class_name is None:
                raise faults.invalid_resource_uri(req.resource_uri or "")
            raise faults.action_not_supported(req.action or "")

    def identify(self, caller: Caller) -> str:
        cfg = self.config()
        scheme = "https" if caller.https else "http"
        profiles = []
        if cfg["basic"]:
            profiles.append(f"http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/{scheme}/basic")
        if cfg["negotiate"]:
            profiles.append(f"http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/{scheme}/spnego-kerberos")
        version = f"OS: {self.model.spec.release.version} SP: 0.0 Stack: 3.0"
        return env.identify_response(version, profiles, caller.authenticated)

    def _envelope_limit(self, req: Request) -> int:
        size = req.max_envelope_size
        if size is None:
            return self.max_envelope
        if size < MIN_ENVELOPE:
            raise faults.encoding_limit(
                "MinimumEnvelopeLimit",
                f"The WS-Management service cannot process the request because the MaxEnvelopeSize {size} is "
                f"below the minimum of {MIN_ENVELOPE} bytes. ",
            )
        return min(size, self.max_envelope)

    def _check_size(self, text: str, limit: int) -> str:
        if len(text.encode("utf-8")) > limit:
            raise faults.encoding_limit(
                "MaxEnvelopeSize",
                "The WS-Management service cannot process the request because the response would exceed the "
                f"MaxEnvelopeSize of {limit} bytes. ",
            )
        return text

    def _wmi_class(self, target: Target, caller: Caller) -> CimClass:
        cls = find_class(target.class_name or "") if target.class_name not in (None, "*") else None
        if cls is None or cls.namespace != target.namespace:
            raise faults.not_found(caller.machine)
        return cls

    def _check_cimnamespace(self, req: Request) -> None:
        if any(k.lower() == "__cimnamespace" for k, _ in req.selectors):
            raise faults.cimnamespace_conflict()

    # --- enumeration --------------------------------------------------------------------------

    def enumerate(self, req: Request, caller: Caller) -> str:
        limit = self._envelope_limit(req)
        target = parse_resource_uri(req.resource_uri)
        if target.class_name is None:
            raise faults.invalid_resource_uri(req.resource_uri or "")
        self._check_cimnamespace(req)
        body = req.body
        optimize = child(body, ns.WSMAN, "OptimizeEnumeration") is not None
        max_el_text = text_of(child(body, ns.WSMAN, "MaxElements"))
        max_elements = _positive(max_el_text, caller)
        mode_text = text_of(child(body, ns.WSMAN, "EnumerationMode"))
        mode = ENUM_MODES.get(mode_text or "", "obj")
        if mode_text and mode_text not in ENUM_MODES:
            raise faults.invalid_parameter(caller.machine, f"EnumerationMode {mode_text}")
        flt = child(body, ns.WSMAN, "Filter")
        if flt is None:
            flt = child(body, ns.ENUMERATION, "Filter")
        result = self._select(target, flt, caller)
        items = self._item_renderers(result, mode)
        return enumerate_response(
            self.contexts,
            req.message_id,
            items,
            optimize=optimize,
            first_batch=self.first_batch,
            max_elements=max_elements,
            max_envelope=limit,
            owner=caller.user,
        )

    def _select(self, target: Target, flt: etree._Element | None, caller: Caller) -> Result:
        namespace = target.namespace or ""
        if flt is None:
            if target.class_name == "*":
                raise faults.cannot_process_filter(self.name, "", "The filter is missing. ")
            return Result(instances_of(self.model, self._wmi_class(target, caller)))
        dialect = (flt.get("Dialect") or ns.WQL_DIALECT).strip()
        if dialect.lower() == ns.SELECTOR_DIALECT.lower():
            cls = self._wmi_class(target, caller)
            wanted = {s.get("Name", ""): (text_of(s) or "") for s in flt.iter(f"{{{ns.WSMAN}}}Selector")}
            return Result([i for i in instances_of(self.model, cls) if i.key_matches(wanted)])
        if dialect.lower() != ns.WQL_DIALECT.lower():
            raise faults.SoapFault(
                "n:FilterDialectRequestedUnavailable",
                "The requested filtering dialect is not supported. ",
                2150858777,
            )
        query = text_of(flt) or ""
        if namespace not in NAMESPACE_URIS:
            raise faults.cannot_process_filter(self.name, query, "Invalid namespace ")
        try:
            result = run(self.model, query, namespace)
        except WQLError as exc:
            inner = (
                "The specified class does not exist in the given namespace. "
                if exc.invalid_class
                else "Invalid query "
            )
            raise faults.cannot_process_filter(self.name, query, inner) from None
        if target.class_name not in ("*", None) and result.items:
            named = find_class(target.class_name or "")
            if named is None:
                raise faults.not_found(caller.machine)
        return result

    def _item_renderers(self, result: Result, mode: str) -> list[Callable[[], str]]:
        server = self.name

        def obj(inst: Instance) -> str:
            if result.props is not None:
                return render_fragment(inst.cls, with_system_props(inst, result.props, server), result.props)
            return render_instance(inst.cls, inst.values)

        def epr(inst: Instance) -> str:
            return epr_element(inst.ref())

        def obj_and_epr(inst: Instance) -> str:
            return f"<w:Item>{obj(inst)}{epr(inst)}</w:Item>"

        render = {"epr": epr, "objepr": obj_and_epr}.get(mode, obj)
        return [partial(render, i) for i in result.items]

    def pull(self, req: Request, caller: Caller) -> str:
        limit = self._envelope_limit(req)
        pull = req.body
        key = text_of(child(pull, ns.ENUMERATION, "EnumerationContext"))
        if not key:
            raise faults.invalid_enumeration_context()
        max_el = child(pull, ns.ENUMERATION, "MaxElements")
        if max_el is None:
            max_el = child(pull, ns.WSMAN, "MaxElements")
        return pull_response(self.contexts, req.message_id, key, _positive(text_of(max_el), caller), limit)

    def release(self, req: Request, caller: Caller) -> str:
        key = text_of(child(req.body, ns.ENUMERATION, "EnumerationContext"))
        if not key:
            raise faults.invalid_enumeration_context()
        self.contexts.release(key)
        return env.envelope(ns.ACTION_RELEASE_RESPONSE, req.message_id, env.ENUMERATION_PREFIXES, "")

    # --- transfer -----------------------------------------------------------------------------

    def _find(self, req: Request, cls: CimClass, caller: Caller) -> Instance:
        keys = {k.lower() for k in cls.keys}
        given = {k.lower() for k, _ in req.selectors}
        if given - keys:
            raise faults.invalid_selectors()
        singleton = cls.name.lower() in SINGLETONS
        if keys - given and not singleton:
            raise faults.invalid_selectors(insufficient=True)
        wanted = req.selector_dict()
        matches = [i for i in instances_of(self.model, cls) if i.key_matches(wanted)]
        if len(matches) != 1:
            raise faults.not_found(caller.machine)
        return matches[0]

    def get(self, req: Request, caller: Caller) -> str:
        limit = self._envelope_limit(req)
        uri = (req.resource_uri or "").strip()
        if uri.rstrip("/").lower() == ns.WSMAN_CONFIG.lower():
            return self._check_size(self._config_response(req), limit)
        target = parse_resource_uri(uri)
        if target.class_name is None:
            raise faults.invalid_resource_uri(uri)
        self._check_cimnamespace(req)
        cls = self._wmi_class(target, caller)
        inst = self._find(req, cls, caller)
        text = env.envelope(
            ns.ACTION_GET_RESPONSE, req.message_id, env.TRANSFER_PREFIXES, render_instance(cls, inst.values)
        )
        return self._check_size(text, limit)

    def _config_response(self, req: Request) -> str:
        cfg = self.config()

        def b(v: bool) -> str:
            return "true" if v else "false"

        body = (
            f'<cfg:Config xmlns:cfg="{ns.WSMAN_CONFIG}"><cfg:MaxEnvelopeSizekb>{self.max_envelope // 1024}'
            "</cfg:MaxEnvelopeSizekb><cfg:MaxTimeoutms>60000</cfg:MaxTimeoutms><cfg:MaxBatchItems>32000"
            "</cfg:MaxBatchItems><cfg:MaxProviderRequests>4294967295</cfg:MaxProviderRequests><cfg:Client>"
            "<cfg:NetworkDelayms>5000</cfg:NetworkDelayms><cfg:URLPrefix>wsman</cfg:URLPrefix>"
            "<cfg:AllowUnencrypted>false</cfg:AllowUnencrypted><cfg:Auth><cfg:Basic>true</cfg:Basic>"
            "<cfg:Digest>true</cfg:Digest><cfg:Kerberos>true</cfg:Kerberos><cfg:Negotiate>true</cfg:Negotiate>"
            "<cfg:Certificate>true</cfg:Certificate><cfg:CredSSP>false</cfg:CredSSP></cfg:Auth><cfg:DefaultPorts>"
            "<cfg:HTTP>5985</cfg:HTTP><cfg:HTTPS>5986</cfg:HTTPS></cfg:DefaultPorts><cfg:TrustedHosts>"
            "</cfg:TrustedHosts></cfg:Client><cfg:Service><cfg:RootSDDL>"
            "O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)</cfg:RootSDDL>"
            "<cfg:MaxConcurrentOperations>4294967295</cfg:MaxConcurrentOperations>"
            f"<cfg:MaxConcurrentOperationsPerUser>{self.contexts.quota}</cfg:MaxConcurrentOperationsPerUser>"
            f"<cfg:EnumerationTimeoutms>{int(self.contexts.timeout_s * 1000)}</cfg:EnumerationTimeoutms>"
            "<cfg:MaxConnections>300</cfg:MaxConnections><cfg:MaxPacketRetrievalTimeSeconds>120"
            f"</cfg:MaxPacketRetrievalTimeSeconds><cfg:AllowUnencrypted>{b(cfg['allow_unencrypted'])}"
            f"</cfg:AllowUnencrypted><cfg:Auth><cfg:Basic>{b(cfg['basic'])}</cfg:Basic><cfg:Kerberos>true"
            f"</cfg:Kerberos><cfg:Negotiate>{b(cfg['negotiate'])}</cfg:Negotiate><cfg:Certificate>false"
            "</cfg:Certificate><cfg:CredSSP>false</cfg:CredSSP><cfg:CbtHardeningLevel>Relaxed"
            "</cfg:CbtHardeningLevel></cfg:Auth><cfg:DefaultPorts><cfg:HTTP>5985</cfg:HTTP><cfg:HTTPS>5986"
            "</cfg:HTTPS></cfg:DefaultPorts><cfg:IPv4Filter>*</cfg:IPv4Filter><cfg:IPv6Filter>*</cfg:IPv6Filter>"
            "<cfg:EnableCompatibilityHttpListener>false</cfg:EnableCompatibilityHttpListener>"
            "<cfg:EnableCompatibilityHttpsListener>false</cfg:EnableCompatibilityHttpsListener>"
            "<cfg:CertificateThumbprint></cfg:CertificateThumbprint><cfg:AllowRemoteAccess>true"
            "</cfg:AllowRemoteAccess></cfg:Service><cfg:Winrs><cfg:AllowRemoteShellAccess>false"
            "</cfg:AllowRemoteShellAccess></cfg:Winrs></cfg:Config>"
        )
        return env.envelope(ns.ACTION_GET_RESPONSE, req.message_id, env.TRANSFER_PREFIXES, body)

    # --- invoke -------------------------------------------------------------------------------

    def invoke(self, req: Request, caller: Caller) -> str:
        limit = self._envelope_limit(req)
        action = req.action or ""
        class_part, _, method = action.rpartition("/")
        target = parse_resource_uri(req.resource_uri or class_part)
        if target.class_name is None:
            raise faults.invalid_resource_uri(req.resource_uri or "")
        self._check_cimnamespace(req)
        cls = self._wmi_class(target, caller)
        if class_part.lower() != cls.uri.lower():
            raise faults.action_not_supported(action)
        handlers: dict[tuple[str, str], Callable[[], methods.Output]] = {}
        body = req.body
        key = (cls.name.lower(), method.lower())
        if key == ("msvm_computersystem", "requeststatechange"):
            inst = self._find(req, cls, caller)
            handlers[key] = lambda: methods.request_state_change(self.model, inst, body, self.name)
        elif key == ("msvm_shutdowncomponent", "initiateshutdown"):
            inst = self._find(req, cls, caller)
            handlers[key] = lambda: methods.initiate_shutdown(self.model, inst, body, self.name)
        elif cls.name == "Msvm_Keyboard" and method.lower() in keyboard.METHODS:
            inst = self._find(req, cls, caller)
            handlers[key] = lambda: keyboard.invoke(self.model, inst, method, body, self.name)
        elif cls.name == "Msvm_VirtualSystemManagementService":
            self._find(req, cls, caller)
            vsms = {
                "getsummaryinformation": methods.get_summary_information,
                "modifysystemsettings": methods.modify_system_settings,
                "getvirtualsystemthumbnailimage": thumbnail.get_virtual_system_thumbnail_image,
                "modifyresourcesettings": resources.modify_resource_settings,
                "addresourcesettings": resources.add_resource_settings,
                "removeresourcesettings": resources.remove_resource_settings,
                "definesystem": define.define_system,
                "destroysystem": define.destroy_system,
            }
            fn = vsms.get(method.lower())
            if fn is not None:
                handlers[key] = lambda: fn(self.model, body, self.name)
        elif cls.name == vhd.SERVICE and method.lower() in vhd_methods.METHODS | vhd_create.METHODS:
            self._find(req, cls, caller)
            image = (vhd_methods.METHODS | vhd_create.METHODS)[method.lower()]
            handlers[key] = lambda: image(self.model, body, self.name)
        elif key == ("cim_datafile", "delete"):
            name = {k.lower(): v for k, v in req.selector_dict().items()}.get("name", "")
            handlers[key] = lambda: vhd_create.delete_file(self.model, name, caller.machine)
        handler = handlers.get(key)
        if handler is None:
            raise faults.action_not_supported(action)
        out = handler()
        text = env.envelope(
            f"{cls.uri}/{method}Response",
            req.message_id,
            env.TRANSFER_PREFIXES,
            methods.render_output(cls.uri, method, out),
        )
        return self._check_size(text, limit)


def _positive(text: str | None, caller: Caller) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        raise faults.invalid_parameter(caller.machine, "MaxElements must be a number") from None
    if value < 1:
        raise faults.invalid_parameter(caller.machine, "MaxElements must be at least 1")
    return value
