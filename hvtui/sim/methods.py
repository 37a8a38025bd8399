"""WMI methods the simulator implements (Invoke), with Hyper-V's rules and return codes.

* ``Msvm_ComputerSystem.RequestStateChange(RequestedState)``: 4096 + job, or 32775 for a
  transition Hyper-V refuses, 32773 for a value it does not know.
* ``Msvm_ShutdownComponent.InitiateShutdown(Force, Reason)``: 4096 + job; 32775 unless running.
* ``Msvm_VirtualSystemManagementService.GetSummaryInformation(SettingData[], RequestedInformation[])``.
* ``…ModifySystemSettings(SystemSettings)`` and ``…ModifyResourceSettings(ResourceSettings[])`` with an
  embedded CIM-XML ``<INSTANCE>`` (escaped text or CDATA).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from hvtui import namespaces as ns
from hvtui.sim import snapshots
from hvtui.sim import soap_faults as faults
from hvtui.sim.instances import Instance, job_ref
from hvtui.sim.inventory import OFF, RUNNING
from hvtui.sim.jobs import Job
from hvtui.sim.management_service import SUMMARY_CODES, summary_values
from hvtui.sim.model import INVALID_PARAMETER, INVALID_STATE, OK, STARTED, HostModel
from hvtui.sim.render import ClassRenderer, Ref, epr_body
from hvtui.sim.schema import find_class
from hvtui.sim.soap_request import child_any_ns, parse_fragment, q, text_of
from hvtui.sim.virtual_systems import MEMORY_RT, PROCESSOR_RT

_A_W = f'xmlns:a="{ns.ADDRESSING}" xmlns:w="{ns.WSMAN}"'


@dataclass
class Output:
    return_value: int
    params: list[tuple[str, str]] = field(default_factory=list)  # (name, rendered element)


def ref_param(name: str, ref: Ref) -> tuple[str, str]:
    return name, f"<p:{name} {_A_W}>{epr_body(ref)}</p:{name}>"


def job_param(job: Job | None) -> list[tuple[str, str]]:
    return [ref_param("Job", job_ref(job.instance_id))] if job is not None else []


def render_output(class_uri: str, method: str, out: Output) -> str:
    params = "".join(xml for _, xml in sorted(out.params, key=lambda p: p[0].lower()))
    return (
        f'<p:{method}_OUTPUT xmlns:p="{class_uri}">{params}'
        f"<p:ReturnValue>{out.return_value}</p:ReturnValue></p:{method}_OUTPUT>"
    )


def _params(body: etree._Element | None, name: str) -> list[etree._Element]:
    return child_any_ns(body, name)


def _int_param(body: etree._Element | None, name: str, machine: str, required: bool = True) -> int | None:
    els = _params(body, name)
    if not els or els[0].get(q(ns.XSI, "nil")) == "true":
        if required:
            raise faults.invalid_parameter(machine, f"{name} is missing")
        return None
    try:
        return int(text_of(els[0]) or "")
    except ValueError:
        raise faults.invalid_parameter(machine, f"{name} must be a number") from None


def request_state_change(
    model: HostModel, target: Instance, body: etree._Element | None, machine: str
) -> Output:
    if target.values.get("Caption") != "Virtual Machine":
        return Output(32770)  # the host system's state is not changed this way
    requested = _int_param(body, "RequestedState", machine)
    assert requested is not None
    rv, job = model.request_state_change(target.values["Name"], requested)
    return Output(rv, job_param(job))


def initiate_shutdown(
    model: HostModel, target: Instance, body: etree._Element | None, machine: str
) -> Output:
    force = _params(body, "Force")
    if force and (text_of(force[0]) or "").lower() not in ("true", "false", "1", "0"):
        raise faults.invalid_parameter(machine, "Force must be a boolean")
    rv, job = model.initiate_shutdown(target.values["SystemName"])
    return Output(rv, job_param(job))


def selector_values(el: etree._Element) -> dict[str, str]:
    return {s.get("Name", ""): (text_of(s) or "") for s in el.iter(q(ns.WSMAN, "Selector"))}


def get_summary_information(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    wanted: list[int] = []
    for el in _params(body, "RequestedInformation"):
        try:
            wanted.append(int(text_of(el) or ""))
        except ValueError:
            raise faults.invalid_parameter(machine, "RequestedInformation must be numbers") from None
    vms = list(model.vms.values())
    setting_data = [e for e in _params(body, "SettingData") if e.get(q(ns.XSI, "nil")) != "true"]
    if setting_data:
        chosen = []
        for el in setting_data:
            sels = {k.lower(): v for k, v in selector_values(el).items()}
            iid = sels.get("instanceid", "")
            guid = iid.split(":", 1)[-1].upper()
            vm = model.vms.get(guid)
            if vm is not None and iid.lower().startswith("microsoft:"):
                chosen.append(vm)
        vms = chosen
    cls = find_class("Msvm_SummaryInformation")
    assert cls is not None
    rend = ClassRenderer(cls)
    names = {SUMMARY_CODES[c] for c in wanted if c in SUMMARY_CODES}
    now = model.now()
    parts = []
    for vm in vms:
        values = summary_values(model, vm, now)
        picked = {k: v for k, v in values.items() if k in names}
        parts.append(
            (
                "SummaryInformation",
                rend.render_named(picked, "SummaryInformation", "p:Msvm_SummaryInformation_Type"),
            )
        )
    return Output(OK, parts)


# --- embedded instances -------------------------------------------------------------------------


def instance_param(
    body: etree._Element | None, name: str, class_name: str, machine: str
) -> dict[str, str | list[str]] | None:
    """The properties of the embedded instance ``name`` (a fault when it is missing), or None
    when it is of another class than ``class_name`` (the method answers InvalidParameter)."""
    el = given_param(body, name)
    if el is None:
        raise faults.invalid_parameter(machine, f"{name} is missing")
    cls_name, props = embedded_param(el, machine)
    return props if cls_name.lower() == class_name.lower() else None


def given_param(body: etree._Element | None, name: str) -> etree._Element | None:
    """The parameter ``name`` when it holds something: None when it is absent, nil or empty."""
    els = _params(body, name)
    if not els or els[0].get(q(ns.XSI, "nil")) == "true":
        return None
    el = els[0]
    if (text_of(el) or "").strip() or any(isinstance(c.tag, str) for c in el):
        return el
    return None


def embedded_param(el: etree._Element, machine: str) -> tuple[str, dict[str, str | list[str]]]:
    """CLASSNAME and properties of a CIM-XML INSTANCE given as text, CDATA or a child element."""
    node: etree._Element | None = next((c for c in el if isinstance(c.tag, str)), None)
    if node is None or node.tag != "INSTANCE":
        try:
            node = parse_fragment(text_of(el) or "")
        except (ValueError, etree.XMLSyntaxError):
            raise faults.invalid_parameter(machine, "an embedded instance is not valid CIM-XML") from None
    if node.tag != "INSTANCE":
        raise faults.invalid_parameter(machine, "an embedded instance must be an INSTANCE element")
    props: dict[str, str | list[str]] = {}
    for prop in node:
        if not isinstance(prop.tag, str):
            continue
        name = prop.get("NAME", "")
        if prop.tag == "PROPERTY":
            value = prop.find("VALUE")
            if value is not None:
                props[name] = value.text or ""
        elif prop.tag == "PROPERTY.ARRAY":
            props[name] = [v.text or "" for v in prop.iter("VALUE")]
    return node.get("CLASSNAME", ""), props


def num_prop(props: dict[str, str | list[str]], name: str, machine: str) -> int | None:
    for k, v in props.items():
        if k.lower() == name.lower():
            try:
                return int(str(v))
            except ValueError:
                raise faults.invalid_parameter(machine, f"{name} must be a number") from None
    return None


def prop(props: dict[str, str | list[str]], name: str) -> str | list[str] | None:
    return next((v for k, v in props.items() if k.lower() == name.lower()), None)


def modify_system_settings(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    props = instance_param(body, "SystemSettings", "Msvm_VirtualSystemSettingData", machine)
    if props is None:
        return Output(INVALID_PARAMETER)
    iid = str(prop(props, "InstanceID") or "")
    vm = model.vms.get(iid.split(":", 1)[-1].upper()) if iid.lower().startswith("microsoft:") else None
    if vm is None:
        return Output(snapshots.rename(model, iid, prop(props, "ElementName")))
    autostart = num_prop(props, "AutomaticStartupAction", machine)
    if autostart is not None and autostart not in (2, 3, 4):
        return Output(INVALID_PARAMETER)
    name = prop(props, "ElementName")
    if name is not None and not str(name).strip():
        return Output(INVALID_PARAMETER)
    if autostart is not None:
        vm.spec.autostart = autostart
    notes = prop(props, "Notes")
    if notes is not None:
        vm.spec.notes = "\n".join(notes) if isinstance(notes, list) else str(notes)
    if name is not None:
        vm.spec.name = str(name)
    vm.config_changed_at = model.now()
    return Output(OK)


def modify_resource_settings(model: HostModel, body: etree._Element | None, machine: str) -> Output:
    els = _params(body, "ResourceSettings")
    if not els:
        raise faults.invalid_parameter(machine, "ResourceSettings is missing")
    changes = []
    for el in els:
        cls_name, props = embedded_param(el, machine)
        iid = str(prop(props, "InstanceID") or "")
        head, _, rest = iid.partition("\\")
        guid = head.split(":", 1)[-1].upper()
        vm = model.vms.get(guid)
        kind = cls_name.lower()
        if vm is None or kind not in ("msvm_processorsettingdata", "msvm_memorysettingdata"):
            return Output(INVALID_PARAMETER)
        if (kind == "msvm_processorsettingdata") != rest.lower().startswith(PROCESSOR_RT):
            return Output(INVALID_PARAMETER)
        if kind == "msvm_memorysettingdata" and not rest.lower().startswith(MEMORY_RT):
            return Output(INVALID_PARAMETER)
        changes.append((vm, kind, props, iid))
    staged = []
    for vm, kind, props, iid in changes:
        s = vm.spec
        off = vm.state == OFF and vm.transition is None
        if kind == "msvm_processorsettingdata":
            vcpus = num_prop(props, "VirtualQuantity", machine)
            if vcpus is not None and vcpus != s.vcpus:
                if not 1 <= vcpus <= model.spec.sockets * model.spec.cores * model.spec.threads_per_core:
                    return Output(INVALID_PARAMETER)
                if not off:
                    return Output(INVALID_STATE)
            staged.append((vm, {"vcpus": vcpus}, iid, "Msvm_ProcessorSettingData"))
            continue
        qty = num_prop(props, "VirtualQuantity", machine)
        limit = num_prop(props, "Limit", machine)
        reservation = num_prop(props, "Reservation", machine)
        dyn_raw = prop(props, "DynamicMemoryEnabled")
        dynamic = s.dynamic if dyn_raw is None else str(dyn_raw).lower() in ("true", "1")
        new_qty = s.memory_mb if qty is None else qty
        if dynamic:
            new_max = limit if limit is not None else (s.max_mb if s.dynamic else new_qty)
            new_min = reservation if reservation is not None else (s.min_mb if s.dynamic else new_qty)
        else:
            new_max = new_min = new_qty
        if any(v % 2 or v < 32 for v in (new_qty, new_max, new_min)) or not new_min <= new_qty <= new_max:
            return Output(INVALID_PARAMETER)
        changed = (dynamic, new_qty, new_max, new_min) != (s.dynamic, s.memory_mb, s.max_mb, s.min_mb)
        if changed and not off:
            running = vm.state == RUNNING and vm.transition is None
            if not running or not s.dynamic or not dynamic or new_qty != s.memory_mb:
                return Output(INVALID_STATE)  # only a running VM's dynamic limits may change
            if new_max < s.max_mb or new_min > s.min_mb:
                return Output(INVALID_STATE)  # and only widen
        staged.append(
            (
                vm,
                {"memory_mb": new_qty, "max_mb": new_max, "min_mb": new_min, "dynamic": dynamic},
                iid,
                "Msvm_MemorySettingData",
            )
        )
    refs = []
    job = None
    for vm, values, iid, cls_name in staged:
        for k, v in values.items():
            if v is not None:
                setattr(vm.spec, k, v)
        cls = find_class(cls_name)
        assert cls is not None
        refs.append(ref_param("ResultingResourceSettings", Ref(cls.uri, (("InstanceID", iid),))))
        job = model.config_job(vm.guid)
    return Output(STARTED if job else OK, refs + job_param(job))
