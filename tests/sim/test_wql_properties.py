"""Random WHERE clauses over the simulator's classes and values, checked against a reference.

The reference evaluator below is written from "WHERE Clause (WMI)" and "LIKE Operator (WMI)"
alone and shares no code with the simulator: NULL never compares, strings compare without case,
numbers as numbers, booleans only with = and <>, LIKE by a plain recursive matcher. Each query
is also written in a randomly chosen spelling (keyword case, quotes, hexadecimal, constants on
the left, != for <>), which must not change its answer.
"""

from __future__ import annotations

import operator
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui.sim.instances import instances_of
from hvtui.sim.queries import instance_path, run
from hvtui.sim.schema import find_class
from hvtui.sim.wql import parse_object_path
from tests.sim.wql_host import CIMV2, V2, model

CLASSES = {"Msvm_ComputerSystem": V2, "Msvm_VirtualSystemSettingData": V2, "Msvm_MemorySettingData": V2,
           "Win32_Processor": CIMV2}  # fmt: skip
MOVING = {"OnTimeInMilliseconds", "LoadPercentage", "CurrentClockSpeed", "CurrentVoltage"}
OPS = {
    "=": operator.eq,
    "<>": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}
FLIP = {"=": "=", "<>": "<>", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
TEXT = st.text(alphabet="abcXYZ019-_:%\\'\" ", max_size=6)


def kind(cim_type: str) -> str | None:
    if cim_type == "string":
        return "str"
    if cim_type == "boolean":
        return "bool"
    return "int" if cim_type[1:4] == "int" else None


@cache
def columns(cls_name: str) -> dict[str, str]:
    cls = find_class(cls_name)
    return {p.name: k for p in cls.props if not p.array and p.name not in MOVING and (k := kind(p.cim_type))}


def snapshot(cls_name: str) -> list[tuple[str, dict[str, Any]]]:
    cls = find_class(cls_name)
    return [(instance_path(i, None).text(), i.values) for i in instances_of(model(), cls)]


# --- the reference ----------------------------------------------------------------------------


def like_ref(pattern: str, text: str) -> bool:
    if not pattern:
        return not text
    head = pattern[0]
    if head == "%":
        return any(like_ref(pattern[1:], text[i:]) for i in range(len(text) + 1))
    if not text:
        return False
    if head == "_":
        return like_ref(pattern[1:], text[1:])
    if head == "[":
        close = pattern.index("]", 2)
        body, negate = pattern[1:close], False
        if body.startswith("^") and len(body) > 1:
            body, negate = body[1:], True
        members = set()
        i = 0
        while i < len(body):
            if i + 2 < len(body) and body[i + 1] == "-":
                members |= {chr(c) for c in range(ord(body[i]), ord(body[i + 2]) + 1)}
                i += 3
            else:
                members.add(body[i])
                i += 1
        members = {m.lower() for m in members}
        return (text[0].lower() in members) != negate and like_ref(pattern[close + 1 :], text[1:])
    return head.lower() == text[0].lower() and like_ref(pattern[1:], text[1:])


def holds(tree: tuple, row: dict[str, Any]) -> bool:
    tag = tree[0]
    if tag == "and":
        return all(holds(t, row) for t in tree[1])
    if tag == "or":
        return any(holds(t, row) for t in tree[1])
    if tag == "not":
        return not holds(tree[1], row)
    if tag == "null":
        return (row.get(tree[1]) is None) != tree[2]
    if tag == "like":
        value = row.get(tree[1])
        return value is not None and like_ref(tree[2], value) != tree[3]
    _, prop, op, other = tree
    a = row.get(prop)
    b = row.get(other[1]) if other[0] == "prop" else other[1]
    if a is None or b is None:
        return False
    if isinstance(a, str):
        a, b = a.lower(), b.lower()
    return OPS[op](a, b)


# --- generation -------------------------------------------------------------------------------


def like_pattern_from(draw: st.DrawFn, value: str) -> str:
    out = []
    for c in value:
        choice = draw(st.integers(0, 5))
        if choice == 0:
            out.append("_")
        elif choice == 1 and c.isalnum():
            out.append(f"[{c.lower()}-{c.lower()}]" if c.isalpha() else f"[{c}]")
        elif choice == 2 and c.isalpha():
            out.append(f"[^{'q' if c.lower() != 'q' else 'r'}]")
        else:
            out.append({"%": "[%]", "_": "[_]", "[": "[[]"}.get(c, c.swapcase() if choice == 3 else c))
    if out and draw(st.booleans()):
        out[draw(st.integers(0, len(out) - 1)) :] = ["%"]
    return "".join(out)


@st.composite
def leaf(draw: st.DrawFn, cls_name: str, rows: list[dict[str, Any]]) -> tuple:
    cols = columns(cls_name)
    populated = sorted(p for p in cols if any(r.get(p) is not None for r in rows))
    prop = draw(st.sampled_from(populated if populated and draw(st.integers(0, 4)) else sorted(cols)))
    k = cols[prop]
    seen = [r[prop] for r in rows if r.get(prop) is not None]
    shape = draw(st.sampled_from(["const", "const", "prop", "like", "null"]))
    if shape == "null":
        return ("null", prop, draw(st.booleans()))
    if shape == "like" and k == "str":
        pattern = (
            like_pattern_from(draw, draw(st.sampled_from(seen)))
            if seen and draw(st.booleans())
            else draw(TEXT)
        )
        return ("like", prop, pattern.replace("[", "") if "[" in pattern and "]" not in pattern else pattern,
                draw(st.booleans()))  # fmt: skip
    op = draw(st.sampled_from(["=", "<>"] if k == "bool" else sorted(OPS)))
    if shape == "prop":
        same_kind = sorted(p for p, pk in cols.items() if pk == k)
        return ("cmp", prop, op, ("prop", draw(st.sampled_from(same_kind))))
    fresh = {"str": TEXT, "int": st.integers(-3, 2**40), "bool": st.booleans()}[k]
    value = draw(st.sampled_from(seen)) if seen and draw(st.booleans()) else draw(fresh)
    if k == "str" and draw(st.booleans()):
        value = value.swapcase()
    return ("cmp", prop, op, ("const", value))


def trees(cls_name: str, rows: list[dict[str, Any]]) -> st.SearchStrategy[tuple]:
    return st.recursive(
        leaf(cls_name, rows),
        lambda inner: st.one_of(
            st.tuples(st.just("not"), inner),
            st.tuples(st.just("and"), st.lists(inner, min_size=2, max_size=3)),
            st.tuples(st.just("or"), st.lists(inner, min_size=2, max_size=3)),
        ),
        max_leaves=6,
    )


def word(draw: st.DrawFn, text: str) -> str:
    return draw(st.sampled_from([text.upper(), text.lower(), text.title()]))


def literal(draw: st.DrawFn, value: Any) -> str:
    if isinstance(value, bool):
        return draw(st.sampled_from(["TRUE", "true", "1"] if value else ["FALSE", "False", "0"]))
    if isinstance(value, int):
        forms = [str(value), f"'{value}'"] + ([hex(value)] if value >= 0 else [])
        return draw(st.sampled_from(forms))
    quote = draw(st.sampled_from(["'", '"']))
    body = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"


def name(draw: st.DrawFn, prop: str) -> str:
    return draw(st.sampled_from([prop, prop.lower(), prop.upper()]))


def write(draw: st.DrawFn, tree: tuple) -> str:
    tag = tree[0]
    if tag in ("and", "or"):
        return f" {word(draw, tag)} ".join(f"({write(draw, t)})" for t in tree[1])
    if tag == "not":
        return f"{word(draw, 'not')} ({write(draw, tree[1])})"
    if tag == "null":
        middle = f"{word(draw, 'is')} {word(draw, 'not')} " if tree[2] else f"{word(draw, 'is')} "
        return f"{name(draw, tree[1])} {middle}{word(draw, 'null')}"
    if tag == "like":
        pattern = tree[2].replace("\\", "\\\\").replace("'", "\\'")
        neg = f"{word(draw, 'not')} " if tree[3] else ""
        return f"{name(draw, tree[1])} {neg}{word(draw, 'like')} '{pattern}'"
    _, prop, op, other = tree
    shown = "!=" if op == "<>" and draw(st.booleans()) else op
    right = name(draw, other[1]) if other[0] == "prop" else literal(draw, other[1])
    if other[0] == "const" and draw(st.booleans()):
        return f"{right} {FLIP[shown] if shown != '!=' else shown} {name(draw, prop)}"
    return f"{name(draw, prop)} {shown} {right}"


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, str, tuple, list[tuple[str, dict[str, Any]]]]:
    cls_name = draw(st.sampled_from(sorted(CLASSES)))
    rows = snapshot(cls_name)
    tree = draw(trees(cls_name, [r for _, r in rows]))
    text = (
        f"{word(draw, 'select')} * {word(draw, 'from')} {cls_name} {word(draw, 'where')} {write(draw, tree)}"
    )
    return cls_name, text, tree, rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(queries())
def test_where_agrees_with_the_reference(case):
    cls_name, text, tree, rows = case
    got = {instance_path(i, None).text() for i in run(model(), text, CLASSES[cls_name]).items}
    expected = {path for path, row in rows if holds(tree, row)}
    assert got == expected, text


# --- object paths ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_paths_match_in_any_key_order_and_case(data):
    cls_name = data.draw(st.sampled_from(sorted(CLASSES)))
    path, _ = data.draw(st.sampled_from(snapshot(cls_name)))
    parsed = parse_object_path(path)
    keys = data.draw(st.permutations(parsed.keys))
    case = data.draw(st.sampled_from([str.lower, str.upper, str]))
    quote = data.draw(st.sampled_from(["'", '"']))
    body = ",".join(f"{case(k)}={quote}{v.replace(chr(92), chr(92) * 2)}{quote}" for k, v in keys)
    server = data.draw(st.sampled_from(["", f"\\\\{model().spec.name.lower()}\\", "//./"]))
    namespace = CLASSES[cls_name].replace("/", data.draw(st.sampled_from(["/", "\\"])))
    prefix = f"{server}{namespace}:" if server else data.draw(st.sampled_from(["", f"{namespace}:"]))
    rewritten = parse_object_path(f"{prefix}{case(cls_name)}.{body}")
    assert rewritten.same(parsed) and parsed.same(rewritten)
    assert parse_object_path(rewritten.text()).same(parsed)
    changed = ((keys[0][0], keys[0][1] + "x"), *keys[1:])
    assert not parse_object_path(f"{cls_name}.{','.join(f'{k}={quote}{v}{quote}' for k, v in changed)}").same(
        parsed
    )
