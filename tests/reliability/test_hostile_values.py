"""A host that answers in well-formed WS-Management whose values are wrong.

A relay between HyperVHost and the simulator rewrites a share of the replies, seeded: a value
replaced by nonsense (empty, text where a number belongs, out of range, 5,000 characters),
removed, made nil, repeated (an array where one value belongs), given a child element, or
renamed. Whatever arrives, a refresh or an action either works or ends in a HyperVError --
never in an exception from below the domain layer, which the CLI would show as a traceback.
"""

from __future__ import annotations

import random
from collections import Counter

import httpx
from lxml import etree
from support.scripted_server import Reply, ScriptedServer

from hvtui import namespaces as ns
from hvtui.hyperv.actions import Verb
from hvtui.hyperv.errors import HyperVError
from hvtui.hyperv.host import HyperVHost
from hvtui.uri import parse_uri

NONSENSE = [
    "",
    "abc",
    "-1",
    "-5",
    "0",
    "2",
    "32768",
    "true",
    "NaN",
    "1e309",
    "99999999999999999999999",
    "x" * 5000,
    "{not-a-guid}",
    "PT-5S",
    "99991231235959.999999+000",
    "\u202e\u200b",
    "<&>",
]
XSI_NIL = f"{{{ns.XSI}}}nil"


def mutate(body: bytes, rng: random.Random) -> bytes:
    root = etree.fromstring(body)
    soap_body = root.find(f"{{{ns.SOAP}}}Body")
    leaves = [el for el in soap_body.iter() if isinstance(el.tag, str) and len(el) == 0]
    for el in rng.sample(leaves, min(len(leaves), rng.randint(1, 4))):
        parent, roll = el.getparent(), rng.random()
        if roll < 0.45:
            el.text = rng.choice(NONSENSE)
        elif roll < 0.55:
            parent.remove(el)
        elif roll < 0.65:
            el.text = None
            el.set(XSI_NIL, "true")
        elif roll < 0.8:
            parent.insert(parent.index(el), etree.fromstring(etree.tostring(el)))
        elif roll < 0.9:
            etree.SubElement(el, el.tag).text = "nested"
        else:
            el.tag = f"{el.tag}X"
    return etree.tostring(root)


async def test_wrong_values_end_in_a_domain_error_or_work(make_sim):
    h = make_sim(vms=6, seed=1, allow_unencrypted=True).hosts[0]
    state = {"rng": random.Random(0), "p": 0.0}
    outcomes: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=10) as upstream:

        async def relay(req) -> Reply:
            headers = {k: v for k, v in req.headers if k.lower() in ("authorization", "content-type")}
            answer = await upstream.post(h.endpoint, content=req.raw_body, headers=headers)
            body = answer.content
            if answer.status_code == 200 and state["rng"].random() < state["p"]:
                body = mutate(body, state["rng"])
            return Reply(answer.status_code, body=body, content_type=answer.headers.get("content-type"))

        async with ScriptedServer(handler=relay) as proxy:
            uri = parse_uri(f"hyperv://administrator@127.0.0.1:{proxy.port}/?transport=http&auth=basic")
            for seed in range(40):
                state["rng"] = random.Random(seed)
                async with HyperVHost(uri, h.password, timeout=2) as host:
                    try:
                        state["p"] = 0.3
                        snapshot = await host.snapshot()
                        outcomes["refresh worked"] += 1
                        vm = snapshot.vms[seed % len(snapshot.vms)]
                        state["p"] = 0.5
                        action = await host.request(vm, Verb.TURN_OFF if vm.power.is_active else Verb.START)
                        await action.wait(timeout=3)
                        outcomes["action worked"] += 1
                    except HyperVError as exc:  # anything else fails the test, as it should
                        outcomes[exc.problem.name] += 1
                        assert "\n" not in str(exc)
                    finally:
                        state["p"] = 0.0
    # The mutations did bite, and did not bite everything:
    assert outcomes["PROTOCOL"] >= 5, outcomes
    assert outcomes["refresh worked"] >= 5, outcomes
