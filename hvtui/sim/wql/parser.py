"""A recursive-descent parser for WQL data queries; :func:`parse` caches by the query's text.

Grammar ("WQL (SQL for WMI)", "WHERE Clause (WMI)", "WQL Operators", "ASSOCIATORS OF Statement",
"REFERENCES OF Statement"); keywords are case-insensitive::

    query     := SELECT ('*' | name (',' name)*) FROM name [WHERE or]
               | (ASSOCIATORS | REFERENCES) OF {path} [WHERE keyword+]
    or        := and (OR and)*          and := not (AND not)*
    not       := NOT not | '(' or ')' | test
    test      := operand op operand     (at least one side a property)
               | name [NOT] LIKE string | name IS [NOT] NULL | name ISA (string | name)
    operand   := name | string | number | TRUE | FALSE | NULL
    keyword   := AssocClass = name | ResultClass = name | Role = name | ResultRole = name
               | RequiredQualifier = name | RequiredAssocQualifier = name
               | ClassDefsOnly | KeysOnly | SchemaOnly

``Prop = NULL`` reads as ``Prop IS NULL`` and ``Prop <> NULL`` as ``Prop IS NOT NULL``; a constant
on the left is moved to the right with the operator turned round.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hvtui.sim.wql import lexer
from hvtui.sim.wql.errors import WQLError
from hvtui.sim.wql.lexer import Token
from hvtui.sim.wql.paths import parse_object_path
from hvtui.sim.wql.syntax import (
    FLIPPED,
    And,
    AssocQuery,
    Compare,
    Condition,
    Const,
    Isa,
    IsNull,
    Like,
    Not,
    Operand,
    Or,
    Prop,
    Query,
    Select,
)

KEYWORDS = frozenset(
    {"select", "from", "where", "and", "or", "not", "like", "is", "isa", "null", "true", "false", "of"}
)
_VALUED = {
    "assocclass": "assoc_class",
    "resultclass": "result_class",
    "role": "role",
    "resultrole": "result_role",
    "requiredqualifier": "required_qualifier",
    "requiredassocqualifier": "required_assoc_qualifier",
}
_FLAGS = {"classdefsonly": "class_defs_only", "keysonly": "keys_only", "schemaonly": "schema_only"}
_NOT_IN_REFERENCES = {"assocclass", "resultrole", "requiredassocqualifier"}


@lru_cache(maxsize=512)
def parse(text: str) -> Query:
    """The parsed query, or :class:`WQLError` (WBEM_E_INVALID_QUERY) saying what is wrong."""
    return _Parser(lexer.tokenize(text)).query()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    # --- token helpers ------------------------------------------------------------------------

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, what: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise WQLError(f"the query ends where {what} should be")
        self.i += 1
        return tok

    def word(self, *words: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.is_word(*words):
            self.i += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.word(word):
            raise WQLError(f"expected {word.upper()} but found {_shown(self.peek())}")

    def punct(self, text: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == lexer.PUNCT and tok.text == text:
            self.i += 1
            return True
        return False

    def name(self, what: str) -> str:
        tok = self.take(what)
        if tok.kind != lexer.NAME or tok.text.lower() in KEYWORDS:
            raise WQLError(f"expected {what} but found {_shown(tok)}")
        return tok.text

    def end(self) -> None:
        if self.peek() is not None:
            raise WQLError(f"unexpected {_shown(self.peek())} after the end of the query")

    # --- statements ---------------------------------------------------------------------------

    def query(self) -> Query:
        if self.word("select"):
            return self.select()
        for word in ("associators", "references"):
            if self.word(word):
                return self.assoc(word == "references")
        raise WQLError("a WQL query starts with SELECT, ASSOCIATORS OF or REFERENCES OF")

    def select(self) -> Select:
        props: tuple[str, ...] | None = None
        if not self.punct("*"):
            names = [self.name("a property name")]
            while self.punct(","):
                names.append(self.name("a property name"))
            props = tuple(names)
        self.expect("from")
        cls = self.name("a class name")
        where = self.disjunction() if self.word("where") else None
        self.end()
        return Select(cls, props, where)

    def assoc(self, references: bool) -> AssocQuery:
        statement = "REFERENCES OF" if references else "ASSOCIATORS OF"
        self.expect("of")
        tok = self.take("an object path")
        if tok.kind != lexer.PATH:
            raise WQLError(f"{statement} needs an object path in braces")
        fields: dict[str, Any] = {}
        if self.word("where"):
            if self.peek() is None:
                raise WQLError(f"WHERE of {statement} names no keyword")
            while self.peek() is not None:
                word = self.name("a keyword").lower()
                field = _VALUED.get(word) or _FLAGS.get(word)
                if field is None or (references and word in _NOT_IN_REFERENCES):
                    raise WQLError(f"{word!r} is not a keyword of {statement}")
                if field in fields:
                    raise WQLError(f"{word!r} appears twice in {statement}")
                if word in _VALUED:
                    op = self.take("=")
                    if op.kind != lexer.OP or op.text != "=":
                        raise WQLError(f"expected = after {word} but found {_shown(op)}")
                    fields[field] = self.name(f"a name after {word} =")
                else:
                    fields[field] = True
        self.end()
        if fields.get("class_defs_only") and (fields.get("result_class") or fields.get("schema_only")):
            raise WQLError(f"ClassDefsOnly cannot be used with ResultClass or SchemaOnly in {statement}")
        return AssocQuery(references, parse_object_path(tok.text), **fields)

    # --- WHERE --------------------------------------------------------------------------------

    def disjunction(self) -> Condition:
        items = [self.conjunction()]
        while self.word("or"):
            items.append(self.conjunction())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conjunction(self) -> Condition:
        items = [self.negation()]
        while self.word("and"):
            items.append(self.negation())
        return items[0] if len(items) == 1 else And(tuple(items))

    def negation(self) -> Condition:
        if self.word("not"):
            return Not(self.negation())
        if self.punct("("):
            inner = self.disjunction()
            if not self.punct(")"):
                raise WQLError(f"expected ) but found {_shown(self.peek())}")
            return inner
        return self.test()

    def test(self) -> Condition:
        left = self.operand()
        if isinstance(left, Prop):
            if self.word("is"):
                negated = self.word("not")
                self.expect("null")
                return IsNull(left, negated)
            if self.word("isa"):
                tok = self.take("a class name after ISA")
                if tok.kind not in (lexer.STRING, lexer.NAME) or tok.is_word(*KEYWORDS):
                    raise WQLError(f"ISA needs a class name but found {_shown(tok)}")
                return Isa(left, tok.text)
            negated = self.word("not")
            if negated or self.word("like"):
                if negated:
                    self.expect("like")
                tok = self.take("a LIKE pattern")
                if tok.kind != lexer.STRING:
                    raise WQLError(f"LIKE needs a string pattern but found {_shown(tok)}")
                return Like(left, tok.text, negated)
        op = self.take("an operator")
        if op.kind != lexer.OP:
            raise WQLError(f"expected an operator but found {_shown(op)}")
        symbol = "<>" if op.text == "!=" else op.text
        right = self.operand()
        if isinstance(left, Const):
            if isinstance(right, Const):
                raise WQLError("a comparison needs a property on at least one side")
            left, right, symbol = right, left, FLIPPED[symbol]
        assert isinstance(left, Prop)
        if isinstance(right, Const) and right.value is None:
            if symbol not in ("=", "<>"):
                raise WQLError(f"NULL cannot be compared with {symbol}")
            return IsNull(left, negated=symbol == "<>")
        return Compare(symbol, left, right)

    def operand(self) -> Operand:
        tok = self.take("a property or a value")
        if tok.kind == lexer.STRING:
            return Const(tok.text)
        if tok.kind == lexer.NUMBER:
            return Const(tok.value)
        if tok.kind == lexer.NAME:
            word = tok.text.lower()
            if word in ("true", "false"):
                return Const(word == "true")
            if word == "null":
                return Const(None)
            if word not in KEYWORDS:
                return Prop(tok.text)
        raise WQLError(f"expected a property or a value but found {_shown(tok)}")


def _shown(tok: Token | None) -> str:
    if tok is None:
        return "the end of the query"
    if tok.kind == lexer.STRING:
        return f"the string {tok.text!r}"
    if tok.kind == lexer.PATH:
        return "an object path"
    return repr(tok.text)
