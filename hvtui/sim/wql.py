"""WQL as the WinRM WMI plugin accepts it: SELECT, ASSOCIATORS OF and REFERENCES OF.

Supported: ``SELECT *`` or a property list; WHERE with = != <> < > <= >=, LIKE (% _ [..] [^..]),
IS [NOT] NULL, AND, OR, NOT and parentheses; single- or double-quoted strings with backslash
escapes; TRUE, FALSE, NULL and numbers. Class and property names and string comparisons are
case-insensitive, as in WMI. System properties __CLASS, __SERVER, __NAMESPACE, __PATH,
__RELPATH and __GENUS can be selected and compared. Errors raise :class:`WQLError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hvtui.sim.render import Ref


class WQLError(ValueError):
    """A query WMI would refuse; ``kind`` is 'syntax' or 'class'."""

    def __init__(self, message: str, kind: str = "syntax") -> None:
        super().__init__(message)
        self.kind = kind


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<path>\{[^}]*\})
    | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<num>-?\d+(?:\.\d+)?)
    | (?P<op><>|!=|<=|>=|=|<|>)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[(),*])
    )""",
    re.VERBOSE,
)
KEYWORDS = {"select", "from", "where", "and", "or", "not", "like", "is", "null", "true", "false", "isa", "of"}


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str


def tokenize(text: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise WQLError(f"unexpected character {text[pos:].lstrip()[:1]!r} in the query")
        pos = m.end()
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.DOTALL)
        toks.append(Tok(kind, value))
    return toks


# --- expressions ------------------------------------------------------------------------------

Getter = Callable[[str], tuple[bool, Any]]  # name -> (known, value)


@dataclass
class Cond:
    prop: str
    op: str  # = != < > <= >= like notlike isnull notnull
    value: Any = None

    def eval(self, get: Getter) -> bool:
        known, actual = get(self.prop)
        if not known:
            raise WQLError(f"unknown property {self.prop!r} in WHERE")
        if self.op == "isnull":
            return actual is None
        if self.op == "notnull":
            return actual is not None
        if actual is None or self.value is None:
            return False
        if isinstance(actual, list):
            raise WQLError(f"array property {self.prop!r} cannot be compared in WHERE")
        if self.op in ("like", "notlike"):
            hit = _like(str(self.value)).fullmatch(_as_text(actual)) is not None
            return hit if self.op == "like" else not hit
        left, right = _coerce(actual, self.value)
        if left is None:
            return self.op in ("!=", "<>") and False
        try:
            return {
                "=": left == right,
                "!=": left != right,
                "<>": left != right,
                "<": left < right,
                ">": left > right,
                "<=": left <= right,
                ">=": left >= right,
            }[self.op]
        except TypeError:
            return False


@dataclass
class BoolOp:
    op: str  # and / or / not
    items: list[Any] = field(default_factory=list)

    def eval(self, get: Getter) -> bool:
        if self.op == "not":
            return not self.items[0].eval(get)
        if self.op == "and":
            return all(i.eval(get) for i in self.items)
        return any(i.eval(get) for i in self.items)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Ref):
        return ref_path(value, "")
    if isinstance(value, datetime):
        return dmtf_datetime(value)
    return str(value)


def dmtf_datetime(value: datetime) -> str:
    off = value.utcoffset()
    minutes = int(off.total_seconds() // 60) if off else 0
    return value.strftime("%Y%m%d%H%M%S") + f".{value.microsecond:06d}{minutes:+04d}"


def _coerce(actual: Any, literal: Any) -> tuple[Any, Any]:
    """Bring the property value and the literal to comparable types, WMI-style."""
    if isinstance(actual, bool):
        if isinstance(literal, bool):
            return actual, literal
        text = str(literal).strip().lower()
        if text in ("true", "1"):
            return actual, True
        if text in ("false", "0"):
            return actual, False
        return None, None
    if isinstance(actual, int):
        if isinstance(literal, bool):
            return actual, int(literal)
        try:
            return actual, int(float(literal)) if not isinstance(literal, int) else literal
        except (TypeError, ValueError):
            return None, None
    return _as_text(actual).lower(), _as_text(literal).lower()


_like_cache: dict[str, re.Pattern[str]] = {}


def _like(pattern: str) -> re.Pattern[str]:
    compiled = _like_cache.get(pattern)
    if compiled is not None:
        return compiled
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                raise WQLError("unterminated [ in a LIKE pattern")
            body = pattern[i + 1 : end]
            neg = body.startswith("^")
            body = body[1:] if neg else body
            escaped = "".join("-" if ch == "-" else re.escape(ch) for ch in body)
            out.append(f"[{'^' if neg else ''}{escaped}]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    compiled = re.compile("".join(out), re.IGNORECASE | re.DOTALL)
    _like_cache[pattern] = compiled
    return compiled


# --- queries ----------------------------------------------------------------------------------


@dataclass
class Select:
    class_name: str
    props: list[str] | None  # None for *
    where: Any = None


@dataclass
class Associators:
    kind: str  # "associators" or "references"
    class_name: str
    keys: dict[str, str]
    assoc_class: str | None = None
    result_class: str | None = None
    role: str | None = None
    result_role: str | None = None


class _Parser:
    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.i = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> Tok:
        tok = self.peek()
        if tok is None:
            raise WQLError("the query ends too early")
        self.i += 1
        return tok

    def word(self, *words: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "ident" and tok.text.lower() in words:
            self.i += 1
            return True
        return False

    def expect_word(self, word: str) -> None:
        if not self.word(word):
            tok = self.peek()
            raise WQLError(f"expected {word.upper()} but found {tok.text if tok else 'the end'!r}")

    def ident(self) -> str:
        tok = self.next()
        if tok.kind != "ident" or tok.text.lower() in KEYWORDS:
            raise WQLError(f"expected a name but found {tok.text!r}")
        return tok.text

    def punct(self, p: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "punct" and tok.text == p:
            self.i += 1
            return True
        return False

    def done(self) -> None:
        tok = self.peek()
        if tok is not None:
            raise WQLError(f"unexpected {tok.text!r} after the end of the query")

    # expr
    def expr(self) -> Any:
        items = [self.and_expr()]
        while self.word("or"):
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", items)

    def and_expr(self) -> Any:
        items = [self.not_expr()]
        while self.word("and"):
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", items)

    def not_expr(self) -> Any:
        if self.word("not"):
            return BoolOp("not", [self.not_expr()])
        if self.punct("("):
            inner = self.expr()
            if not self.punct(")"):
                raise WQLError("missing ) in WHERE")
            return inner
        return self.comparison()

    def literal(self) -> Any:
        tok = self.next()
        if tok.kind == "str":
            return tok.text
        if tok.kind == "num":
            return float(tok.text) if "." in tok.text else int(tok.text)
        if tok.kind == "ident" and tok.text.lower() in ("true", "false"):
            return tok.text.lower() == "true"
        if tok.kind == "ident" and tok.text.lower() == "null":
            return None
        raise WQLError(f"expected a value but found {tok.text!r}")

    def comparison(self) -> Cond:
        tok = self.peek()
        if tok is not None and tok.kind in ("str", "num"):
            value = self.literal()
            op = self.next()
            if op.kind != "op":
                raise WQLError(f"expected an operator but found {op.text!r}")
            prop = self.ident()
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op.text, op.text)
            return Cond(prop, flipped, value)
        prop = self.ident()
        if self.word("is"):
            negate = self.word("not")
            self.expect_word("null")
            return Cond(prop, "notnull" if negate else "isnull")
        if self.word("not"):
            self.expect_word("like")
            return Cond(prop, "notlike", self.literal())
        if self.word("like"):
            return Cond(prop, "like", self.literal())
        op = self.next()
        if op.kind != "op":
            raise WQLError(f"expected an operator after {prop} but found {op.text!r}")
        value = self.literal()
        if value is None:
            return Cond(prop, "isnull" if op.text == "=" else "notnull")
        return Cond(prop, op.text, value)


def parse(text: str) -> Select | Associators:
    p = _Parser(tokenize(text))
    if p.word("select"):
        props: list[str] | None
        if p.punct("*"):
            props = None
        else:
            props = [p.ident()]
            while p.punct(","):
                props.append(p.ident())
        p.expect_word("from")
        cls = p.ident()
        where = p.expr() if p.word("where") else None
        p.done()
        return Select(cls, props, where)
    for kind in ("associators", "references"):
        if p.word(kind):
            p.expect_word("of")
            tok = p.next()
            if tok.kind != "path":
                raise WQLError(f"{kind.upper()} OF needs an object path in braces")
            cls, keys = parse_object_path(tok.text[1:-1])
            q = Associators(kind, cls, keys)
            if p.word("where"):
                while p.peek() is not None:
                    word = p.ident().lower()
                    if word in ("classdefsonly", "keysonly", "schemaonly"):
                        continue
                    op = p.next()
                    if op.text != "=":
                        raise WQLError(f"expected = after {word}")
                    value = p.next().text
                    if word == "assocclass":
                        q.assoc_class = value
                    elif word == "resultclass":
                        q.result_class = value
                    elif word == "role":
                        q.role = value
                    elif word == "resultrole":
                        q.result_role = value
                    elif word not in ("requiredqualifier", "requiredassocqualifier"):
                        raise WQLError(f"unknown keyword {word!r} in {kind.upper()} OF")
            return q
    raise WQLError("a WQL query starts with SELECT, ASSOCIATORS OF or REFERENCES OF")


_PATH_KEY = re.compile(
    r"""\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^,]+)\s*(,|$)"""
)


def parse_object_path(text: str) -> tuple[str, dict[str, str]]:
    """``Class.Key='v',Key2="w"`` (optionally ``\\\\server\\ns:`` first) → (class, keys)."""
    text = text.strip()
    if ":" in text.split(".", 1)[0]:
        text = text.split(":", 1)[1]
    cls, dot, rest = text.partition(".")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", cls.strip()):
        raise WQLError(f"bad object path {text!r}")
    keys: dict[str, str] = {}
    pos = 0
    while dot and pos < len(rest):
        m = _PATH_KEY.match(rest, pos)
        if m is None:
            raise WQLError(f"bad key list in object path {text!r}")
        raw = m.group(2).strip()
        if raw[:1] in ("'", '"'):
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        keys[m.group(1)] = raw
        pos = m.end()
    return cls.strip(), keys


def ref_path(ref: Ref, server: str, namespace: str | None = None) -> str:
    """A WMI object path (``__PATH`` when ``server`` is given, else ``__RELPATH``)."""
    keys = ",".join(f'{k}="{_escape_key(v)}"' for k, v in ref.selectors)
    rel = f"{ref.class_name}.{keys}" if keys else f"{ref.class_name}=@"
    if not server:
        return rel
    ns_path = (namespace or _namespace_of(ref.uri)).replace("/", "\\")
    return f"\\\\{server}\\{ns_path}:{rel}"


def _escape_key(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _namespace_of(uri: str) -> str:
    marker = "/wmi/"
    tail = uri.split(marker, 1)[1] if marker in uri else uri
    return tail.rsplit("/", 1)[0]
