"""A VM's console over real sockets, for every release the simulator knows: type, and find the
text on the next screenshot; heads as libvirt finds them; keys to an off VM refused; replies
WinRM's default limit cannot carry refused with what to do; an independent client's thumbnail."""

from __future__ import annotations

import asyncio
import base64
import xml.etree.ElementTree as ET

import pytest

from hvtui.hyperv import queries
from hvtui.hyperv.console import DEFAULT_HOST_ENVELOPE, VMConsole, fit_reply, reply_bytes
from hvtui.hyperv.errors import ActionFailed, ActionRefused, HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.hyperv.vm_lookup import find_in
from hvtui.sim import SimOptions, Simulator, font
from hvtui.sim.picture import WHITE, logical_size
from hvtui.sim.releases import RELEASES
from hvtui.uri import parse_uri
from tests.conftest import SIM_DEFAULTS, SIM_PASSWORD, SIM_USER
from tests.support.scenarios import write_scenario

VMS = [("web", "running"), ("legacy", "running", {"generation": 1}), ("db", "off")]


@pytest.fixture(scope="module", params=sorted(RELEASES))
def release_sim(request, tmp_path_factory):
    scenario = write_scenario(VMS, tmp=tmp_path_factory.mktemp("console"), release=request.param)
    with Simulator(
        SimOptions(**{**SIM_DEFAULTS, "hosts": 1, "scenario": scenario, "time_scale": 1.0})
    ) as sim:
        yield sim.hosts[0]


def run(coro):
    return asyncio.run(coro)


async def with_console(sim_host, name, call, **host_options):
    async with HyperVHost(parse_uri(sim_host.uri), sim_host.password, **host_options) as host:
        vm = find_in(await host.snapshot(), name)
        return await call(VMConsole(host.session, vm), host)


def pixels(rgb565: bytes) -> list[int]:
    return [int.from_bytes(rgb565[i : i + 2], "little") for i in range(0, len(rgb565), 2)]


def text_positions(image: list[int], width: int, text: str) -> list[tuple[int, int]]:
    """Where ``text`` is drawn in white, pixel for pixel in the simulator's font (set bits white,
    clear bits not), read from the decoded picture alone."""
    on = [(i * font.CELL_W + dx, dy) for i, c in enumerate(text) for dy, bits in enumerate(font.glyph(c))
          for dx in range(font.WIDTH) if bits & (0x10 >> dx)]  # fmt: skip
    off = [(i * font.CELL_W + dx, dy) for i, c in enumerate(text) for dy, bits in enumerate(font.glyph(c))
           for dx in range(font.WIDTH) if not bits & (0x10 >> dx)]  # fmt: skip
    fx, fy = on[0]
    height = len(image) // width
    found = []
    for index, value in enumerate(image):
        if value != WHITE:
            continue
        x0, y0 = index % width - fx, index // width - fy
        if x0 < 0 or y0 < 0 or x0 + len(text) * font.CELL_W > width or y0 + font.HEIGHT > height:
            continue
        if all(image[(y0 + y) * width + x0 + x] == WHITE for x, y in on) and not any(
            image[(y0 + y) * width + x0 + x] == WHITE for x, y in off
        ):
            found.append((x0, y0))
    return found


@pytest.mark.parametrize("name", ["web", "legacy"])
def test_typed_text_is_on_the_next_screenshot(release_sim, name):
    typed = f"hello {name} 42!"

    async def call(console, host):
        await console.type_text(typed)
        width, height = logical_size(await console.resolution())
        return await console.frame(width, height)

    frame = run(with_console(release_sim, name, call))
    image = pixels(frame.rgb565)
    assert len(text_positions(image, frame.width, typed + "_")) == 1  # the cursor follows the text
    screen = release_sim.model.screen(name)
    assert screen.lines[-1].endswith(typed)
    assert frame.rgb565 == screen.picture(frame.width, frame.height)


def test_ctrl_alt_del_and_keys_by_virtual_key_code(release_sim):
    async def call(console, host):
        await console.ctrl_alt_del()
        await console.send_keys([0x0D])  # Enter: a new line
        await console.send_keys([0xA0, 0x41])  # Shift+A, pressed and released as a chord
        await console.send_keys([0x42], hold=0.05)  # b, held

    run(with_console(release_sim, "web", call))
    screen = release_sim.model.screen("web")
    assert screen.signing_in
    assert screen.lines[-1] == "Ab"


def test_heads_as_libvirt_finds_them(release_sim):
    """The synthetic controller's head through Msvm_VideoHeadOnController, enabled while running."""
    guid = release_sim.model.vm("legacy").guid

    async def call(console, host):
        controllers = await host.session.query(
            queries.Read(
                queries.V2_ALL,
                f"SELECT DeviceID FROM Msvm_SyntheticDisplayController WHERE SystemName = '{guid}'",
                "Msvm_Keyboard",  # any schema typing DeviceID as a string
                1,
                "display controller",
            )
        )
        device = controllers[0]["DeviceID"]
        controller = "Msvm_SyntheticDisplayController"
        wql = (
            f"ASSOCIATORS OF {{{controller}.CreationClassName='{controller}',"
            f"DeviceID='{device}',SystemCreationClassName='Msvm_ComputerSystem',SystemName='{guid}'}} "
            "WHERE AssocClass = Msvm_VideoHeadOnController ResultClass = Msvm_VideoHead"
        )
        heads = queries.Read(queries.V2_ALL, wql.replace("\\", "\\\\"), "Msvm_VideoHead", 1, "video head")
        return await host.session.query(heads), await console.resolution()

    heads, resolution = run(with_console(release_sim, "legacy", call))
    assert len(heads) == 1
    assert heads[0]["EnabledState"] == 2
    assert (heads[0]["CurrentHorizontalResolution"], heads[0]["CurrentVerticalResolution"]) == resolution
    assert resolution == release_sim.model.screen("legacy").resolution


def test_keys_to_an_off_vm_are_refused_and_its_screen_is_black(release_sim):
    async def call(console, host):
        with pytest.raises(ActionRefused, match="db is not running: its keyboard takes no keys"):
            await console.type_text("x")
        with pytest.raises(ActionRefused, match="not running"):
            await console.ctrl_alt_del()
        return await console.frame(64, 48)

    frame = run(with_console(release_sim, "db", call))
    assert frame.rgb565 == bytes(64 * 48 * 2)


def test_a_screenshot_larger_than_the_screen_is_refused(make_sim, tmp_path):
    host = make_sim(scenario=write_scenario([("web", "running")], tmp=tmp_path)).hosts[0]
    host.model.set_resolution("web", 320, 240)

    async def call(console, host):
        with pytest.raises(ActionFailed, match="larger than its screen"):
            await console.frame(321, 240)

    run(with_console(host, "web", call))


def test_a_reply_winrm_cannot_carry_says_what_to_do(make_sim, tmp_path):
    host = make_sim(scenario=write_scenario([("web", "running")], tmp=tmp_path)).hosts[0]
    host.model.set_resolution("web", 1024, 768)

    async def call(console, host):
        with pytest.raises(HyperVError, match="MaxEnvelopeSizekb") as caught:
            await console.frame(1024, 768)
        fitted = fit_reply((1024, 768), DEFAULT_HOST_ENVELOPE)
        assert reply_bytes(*fitted) <= DEFAULT_HOST_ENVELOPE
        return caught.value, await console.frame(*fitted)

    error, frame = run(with_console(host, "web", call, max_envelope_size=8 * 1024 * 1024))
    assert "1024x768" in str(error)
    assert frame.reply_bytes <= DEFAULT_HOST_ENVELOPE
    assert abs(frame.width / frame.height - 1024 / 768) < 0.01


def test_typetext_limits_and_iskeypressed_as_windows_answers(make_sim, tmp_path):
    host = make_sim(scenario=write_scenario([("web", "running")], tmp=tmp_path)).hosts[0]

    async def call(console, host):
        session, guid = host.session, console.vm.guid
        device = await console._device()
        too_long = await session.keyboard(guid, device, "TypeText", [("asciiText", "x" * 513)])
        untypable = await session.keyboard(guid, device, "TypeText", [("asciiText", "a\x7fb")])
        bad_key = await session.keyboard(guid, device, "TypeKey", [("keyCode", 0x1FF)])
        await session.keyboard(guid, device, "PressKey", [("keyCode", 0x10)])
        return too_long, untypable, bad_key

    assert run(with_console(host, "web", call)) == (32773, 1, 32773)
    assert host.model.screen("web").lines == ("",)


def test_pypsrp_reads_a_thumbnail(make_sim, tmp_path):
    """An independent client gets the picture as libvirt reads it: base64 in one ImageData."""
    wsman = pytest.importorskip("pypsrp.wsman")
    host = make_sim(scenario=write_scenario([("web", "running")], tmp=tmp_path)).hosts[0]
    guid = host.model.vm("web").guid
    v2 = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/virtualization/v2"
    vsms = f"{v2}/Msvm_VirtualSystemManagementService"
    w = wsman.WSMan("127.0.0.1", port=host.port, username=SIM_USER, password=SIM_PASSWORD, ssl=False,
                    auth="basic", encryption="never", cert_validation=False)  # fmt: skip
    body = ET.Element(f"{{{vsms}}}GetVirtualSystemThumbnailImage_INPUT")
    target = ET.SubElement(body, f"{{{vsms}}}TargetSystem")
    ET.SubElement(
        target, "{http://schemas.xmlsoap.org/ws/2004/08/addressing}Address"
    ).text = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
    params = ET.SubElement(target, "{http://schemas.xmlsoap.org/ws/2004/08/addressing}ReferenceParameters")
    ET.SubElement(
        params, "{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}ResourceURI"
    ).text = f"{v2}/Msvm_VirtualSystemSettingData"
    selectors = ET.SubElement(params, "{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}SelectorSet")
    ET.SubElement(
        selectors, "{http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd}Selector", Name="InstanceID"
    ).text = f"Microsoft:{guid}"
    ET.SubElement(body, f"{{{vsms}}}WidthPixels").text = "80"
    ET.SubElement(body, f"{{{vsms}}}HeightPixels").text = "60"
    sel = wsman.SelectorSet()
    sel.add_option("CreationClassName", "Msvm_VirtualSystemManagementService")
    out = w.invoke(f"{vsms}/GetVirtualSystemThumbnailImage", vsms, body, selector_set=sel)
    output = out.find(f".//{{{vsms}}}GetVirtualSystemThumbnailImage_OUTPUT")
    assert output.find(f"{{{vsms}}}ReturnValue").text == "0"
    data = base64.b64decode(output.find(f"{{{vsms}}}ImageData").text)
    assert data == host.model.screen("web").picture(80, 60)
