"""One change to a host's VMs: a method of the management services sent once, its job followed
to the end, and its answer turned into a result or a one-line error.

A change made of several requests (a new VM, then its disk, then its NIC) needs each to have
finished before the next goes out and to know exactly which one failed, so every step here is
followed to its end; the callers undo what came before a step that failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hvtui.hyperv import queries
from hvtui.hyperv.errors import ActionFailed, ActionRefused
from hvtui.hyperv.jobs import JobWatcher, return_code_text
from hvtui.hyperv.session import Session
from hvtui.namespaces import VIRTUALIZATION_V2, class_uri
from hvtui.wsman import EPR, EmbeddedInstance

#: Seconds one step is followed before it is reported as still running (and the change stopped).
STEP_TIMEOUT = 120.0
VSMS_SELECTORS = {"CreationClassName": "Msvm_VirtualSystemManagementService"}
IMAGE_SELECTORS = {"CreationClassName": "Msvm_ImageManagementService"}
_OK, _STARTED, _INVALID_PARAMETER, _INVALID_STATE = 0, 4096, 32773, 32775

Refs = dict[str, list[dict[str, str]]]


def embedded(class_name: str, values: Mapping[str, Any], types: Mapping[str, str]) -> EmbeddedInstance:
    """An instance to pass into a method, every property typed (integers cannot be guessed)."""
    return EmbeddedInstance(class_name, dict(values), dict(types))


def setting_ref(class_name: str, instance_id: str) -> EPR:
    return EPR(class_uri(VIRTUALIZATION_V2, class_name), {"InstanceID": instance_id})


def vm_ref(guid: str) -> EPR:
    return EPR(queries.COMPUTER_SYSTEM, {"CreationClassName": "Msvm_ComputerSystem", "Name": guid})


def object_path(host: str, class_name: str, instance_id: str) -> str:
    """A setting's WMI object path, as Parent takes it: backslashes and quotes escaped."""
    value = instance_id.replace("\\", "\\\\").replace('"', '\\"')
    return f'\\\\{host}\\root\\virtualization\\v2:{class_name}.InstanceID="{value}"'


async def send(
    session: Session,
    method: str,
    params: list[tuple[str, Any]],
    what: str,
    *,
    image: bool = False,
) -> Refs:
    """Send ``method`` once and follow its job; the references it returned.

    ``what`` says the step in a person's words ("adding the disk to web-01"). Raises
    ActionRefused for a refusal (the state, a bad value) and ActionFailed for a job that
    failed or did not end within STEP_TIMEOUT.
    """
    uri, selectors = (queries.IMAGE_SERVICE, IMAGE_SELECTORS) if image else (queries.VSMS, VSMS_SELECTORS)
    code, job_id, refs = await session.call(uri, method, selectors, params)
    if code == _INVALID_STATE:
        raise ActionRefused(f"{what}: the VM's state does not allow this now (32775)")
    if code == _INVALID_PARAMETER:
        raise ActionRefused(f"{what}: the host refused a value as invalid (32773)")
    if code not in (_OK, _STARTED):
        raise ActionFailed(f"{what} failed: {return_code_text(code)}")
    if code == _STARTED and job_id is not None:
        await follow(session, job_id, what)
    return refs


async def follow(session: Session, job_id: str, what: str) -> None:
    """Wait for a job; ActionFailed when it failed or is still running at STEP_TIMEOUT."""
    last = None
    async for job in JobWatcher(session, job_id).follow(timeout=STEP_TIMEOUT):
        last = job
    if last is not None and not last.finished:
        raise ActionFailed(f"{what} is still running on the host (not stopped); nothing after it was sent")
    if last is not None and not last.succeeded:
        detail = last.error_description or f"the job ended {last.state.label}"
        raise ActionFailed(f"{what} failed: {detail}")


async def delete_file(session: Session, path: str, what: str) -> None:
    """CIM_DataFile.Delete: a file on the host (a disk no VM uses any more)."""
    code, _, _ = await session.call(queries.DATA_FILE, "Delete", {"Name": path.lower()}, [])
    if code == 15:
        raise ActionRefused(f"{what}: the file is in use")
    if code != 0:
        raise ActionFailed(f"{what} failed (CIM_DataFile.Delete returned {code})")
