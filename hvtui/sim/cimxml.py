"""Embedded instances as CIM-XML text ("Representation of CIM in XML", DSP0201), the form WMI
gives a string property or method output qualified EmbeddedInstance: Msvm_KvpExchangeDataItem in
GuestIntrinsicExchangeItems, Msvm_VirtualHardDiskSettingData from GetVirtualHardDiskSettingData.

Every property of the class in the schema's order, a null one as an empty PROPERTY; datetimes
in the DMTF form ``yyyymmddHHMMSS.mmmmmm+UUU``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hvtui.sim.render import escape_attr
from hvtui.sim.schema import CimClass


def dmtf_datetime(value: datetime) -> str:
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return f"{value:%Y%m%d%H%M%S}.{value.microsecond:06d}{'+' if minutes >= 0 else '-'}{abs(minutes):03d}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return dmtf_datetime(value)
    return escape_attr(str(value))


def embedded_instance(cls: CimClass, values: dict[str, Any]) -> str:
    out = [f'<INSTANCE CLASSNAME="{cls.name}">']
    for prop in cls.props:
        value = values.get(prop.name)
        if prop.array:
            out.append(f'<PROPERTY.ARRAY NAME="{prop.name}" TYPE="{prop.cim_type}">')
            if value is not None:
                out.append(
                    "<VALUE.ARRAY>" + "".join(f"<VALUE>{_value(v)}</VALUE>" for v in value) + "</VALUE.ARRAY>"
                )
            out.append("</PROPERTY.ARRAY>")
        elif value is None:
            out.append(f'<PROPERTY NAME="{prop.name}" TYPE="{prop.cim_type}"></PROPERTY>')
        else:
            head = f'<PROPERTY NAME="{prop.name}" TYPE="{prop.cim_type}">'
            out.append(f"{head}<VALUE>{_value(value)}</VALUE></PROPERTY>")
    out.append("</INSTANCE>")
    return "".join(out)
