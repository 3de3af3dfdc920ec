"""gettext Plural-Forms headers, read by a small parser of our own.

A translator's `.po` file says how its language picks a plural form:
`Plural-Forms: nplurals=2; plural=(n != 1);`. The expression is untrusted input, so it
is never handed to Python's `eval`, `exec` or `compile`, nor to `gettext.c2py` (which
does all three and crashes on `n % 0`). `parse_plural_forms` reads the C subset GNU
gettext accepts:

    n, decimal integer literals, ( ), ! (unary), * / %, + -, < <= > >=, == !=, &&, ||,
    and the conditional ?: (right-associative), with C's precedence.

Reading is bounded: the header's length, the nesting depth, the size of a literal and
the number of forms (1 to 6, as CLDR needs at most) are all limited, and dividing by
anything but a positive number written out (`n % 10`) is refused, so evaluation can
never divide by zero. Numbers are C `unsigned long` (64 bits, wrapping), as in GNU's
libintl. The expression is compiled into nested Python closures and probed on 0..1000,
large numbers and each literal with its neighbours: every result must be a form index
below nplurals. Any problem raises `PluralFormsError` with a message for translators.

`compare_grouping` says whether two rules put the same numbers together, however
they number their forms (GNU's Arabic rule and CLDR's swap two forms).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import SupportsInt

MAX_HEADER_LENGTH = 1000
MAX_DEPTH = 50           # nesting of parentheses, operators and ?: (CLDR's rules need < 15)
MAX_LITERAL = 2**32 - 1  # the largest number an expression may write (CLDR's: 1000000)
MAX_NPLURALS = 6         # CLDR's categories: zero, one, two, few, many, other
EXAMPLE = "nplurals=2; plural=(n != 1);"

_MASK = 2**64 - 1  # C unsigned long on the 64-bit systems gettext runs on
# Numbers every rule is tried on, besides 0..1000 and its own literals and their
# neighbours: CLDR's "many" (multiples of a million) and the edges of 32 and 64 bits.
LARGE_PROBES = (1_000_000, 1_000_001, 1_000_002, 1_100_000, 2_000_000, 10_000_000,
                100_000_000, 1_000_000_000, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**63,
                2**64 - 1)

_HEADER_RE = re.compile(r"[ \t]*nplurals[ \t]*=[ \t]*(\S*?)[ \t]*;[ \t]*plural[ \t]*=(.*)")
_TOKEN_RE = re.compile(r"[ \t]*(?:([0-9]+)|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>="
                       r"|[-+*/%<>!?:()])|(\S))")
_BINARY = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
           "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}

Evaluate = Callable[[int], int]


class PluralFormsError(ValueError):
    """A Plural-Forms header that cannot be used; the message says why, for translators."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}; a valid header looks like '{EXAMPLE}'")
        self.problem = problem


@dataclass(frozen=True)
class PluralRule:
    """A checked Plural-Forms rule: call it with a number to get its form index."""

    nplurals: int
    expression: str  # as written in the header, without the surrounding spaces
    literals: tuple[int, ...] = ()      # the numbers the expression writes, sorted
    unreachable: tuple[int, ...] = ()   # form indexes no probed number gets
    _evaluate: Evaluate = field(default=lambda n: 0, repr=False, compare=False)

    @property
    def header(self) -> str:
        """The header value in its usual spelling."""
        return f"nplurals={self.nplurals}; plural={self.expression};"

    def __call__(self, n: SupportsInt) -> int:
        """The form index for `n` (taken modulo 2**64, as C's unsigned long). An index
        outside 0..nplurals-1, which the probe makes unlikely, gives 0 as in GNU libintl."""
        index = self._evaluate(int(n) & _MASK)
        return index if index < self.nplurals else 0

    def probes(self) -> tuple[int, ...]:
        """The numbers this rule is checked on."""
        return probe_numbers(self.literals)


def probe_numbers(literals: Iterable[int] = ()) -> tuple[int, ...]:
    """0..1000, LARGE_PROBES, and each literal with its neighbours, sorted."""
    near = {value + step for value in literals for step in (-1, 0, 1)}
    numbers = set(range(1001)) | set(LARGE_PROBES) | {v for v in near if 0 <= v <= _MASK}
    return tuple(sorted(numbers))


def parse_plural_forms(header: str) -> PluralRule:
    """Read and check a Plural-Forms header value like 'nplurals=2; plural=(n != 1);'.

    Raises PluralFormsError, quickly and with bounded memory, for anything that is not
    a usable rule."""
    if len(header) > MAX_HEADER_LENGTH:
        raise PluralFormsError(f"the header is {len(header)} characters long, more than "
                               f"the {MAX_HEADER_LENGTH} allowed")
    found = _HEADER_RE.fullmatch(header.strip())
    if found is None:
        raise PluralFormsError(f"{_quote(header)} is not of the form "
                               "'nplurals=NUMBER; plural=EXPRESSION;'")
    count, text = found.group(1), found.group(2).strip()
    if text.endswith(";"):
        text = text[:-1].rstrip()
    if not count.isdigit() or not count.isascii():
        raise PluralFormsError(f"nplurals must be a number from 1 to {MAX_NPLURALS}, not "
                               f"{_quote(count)}")
    nplurals = int(count) if len(count) <= 3 else MAX_NPLURALS + 1
    if not 1 <= nplurals <= MAX_NPLURALS:
        raise PluralFormsError(f"nplurals must be from 1 to {MAX_NPLURALS} (no language "
                               f"has more plural forms), not {_quote(count)}")
    if not text:
        raise PluralFormsError("plural= has no expression after it")
    parsed = _Parser(text).parse()
    literals = tuple(sorted(parsed.literals))
    seen: set[int] = set()
    for n in probe_numbers(literals):
        form = parsed.evaluate(n)
        if form >= nplurals:
            raise PluralFormsError(
                f"plural={_quote(text, 60)} gives form {_short(form)} for n={n}, but with "
                f"nplurals={nplurals} the forms are 0 to {nplurals - 1}")
        seen.add(form)
    unreachable = tuple(i for i in range(nplurals) if i not in seen)
    return PluralRule(nplurals, text, literals, unreachable, parsed.evaluate)


@dataclass(frozen=True)
class Grouping:
    """How a rule groups numbers compared with a reference rule.

    `relation` is "same" (the same numbers share a form, however the forms are
    numbered), "finer" (it only tells apart numbers the reference puts together),
    "coarser" (it only puts together numbers the reference tells apart) or
    "different". `merged`: two numbers sharing a form in the rule but not in the
    reference; `split`: two numbers with different forms in the rule but one form in
    the reference (None when there are none)."""

    relation: str
    merged: tuple[int, int] | None = None
    split: tuple[int, int] | None = None


def compare_grouping(rule: PluralRule, reference: PluralRule) -> Grouping:
    """Compare how `rule` and `reference` group the numbers both are probed on."""
    merged = _differ(rule, reference)
    split = _differ(reference, rule)
    relation = {(False, False): "same", (False, True): "finer", (True, False): "coarser",
                (True, True): "different"}[(merged is not None, split is not None)]
    return Grouping(relation, merged, split)


def numbers_like(rule: PluralRule, n: int, numbers: Iterable[int] | None = None) -> set[int]:
    """The probed numbers (or `numbers`) that get the same form as `n` in `rule`."""
    form = rule(n)
    return {m for m in (rule.probes() if numbers is None else numbers) if rule(m) == form}


def _differ(first: PluralRule, second: PluralRule) -> tuple[int, int] | None:
    """Two numbers `first` gives one form and `second` two; None if there are none."""
    example: dict[int, tuple[int, int]] = {}  # first's form -> (a number, second's form)
    # From 2 up, then 0 and 1: "2 and 1000000" says more than "0 and 1000000".
    numbers = sorted(probe_numbers(first.literals + second.literals), key=lambda n: (n < 2, n))
    for n in numbers:
        mine, theirs = first(n), second(n)
        seen = example.setdefault(mine, (n, theirs))
        if seen[1] != theirs:
            return seen[0], n
    return None


def _quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _short(value: int) -> str:
    return str(value) if value < 10**12 else f"{str(value)[:6]}... ({len(str(value))} digits)"


# -- the parser ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """A parsed subexpression: its closure, depth, and its value if it is a literal."""

    evaluate: Evaluate
    depth: int = 1
    literal: int | None = None


class _Parser:
    """Precedence climbing over the tokens of one expression."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.position = 0
        self.active = 0  # nested calls of _conditional / _binary in progress
        self.literals: set[int] = set()
        self.evaluate: Evaluate = _constant(0)

    def parse(self) -> _Parser:
        node = self._conditional()
        if self.position < len(self.tokens):
            raise PluralFormsError(f"unexpected {self._describe()} in "
                                   f"plural={_quote(self.text, 60)}")
        self.evaluate = node.evaluate
        return self

    @staticmethod
    def _tokenize(text: str) -> list[str]:
        tokens: list[str] = []
        position = 0
        while position < len(text):
            found = _TOKEN_RE.match(text, position)
            if found is None:  # only spaces are left
                break
            number, name, operator, other = found.groups()
            if other is not None:
                raise PluralFormsError(
                    f"{other!r} is not allowed in a plural expression (use n, numbers, "
                    "parentheses and the operators ! * / % + - < <= > >= == != && || ?:)")
            if name is not None and name != "n":
                raise PluralFormsError(f"{_quote(name)} is not allowed in a plural "
                                       "expression: the only name it may use is n")
            if number is not None and (len(number) > len(str(MAX_LITERAL))
                                       or int(number) > MAX_LITERAL):
                shown = number if len(number) <= 20 else f"{number[:12]}... ({len(number)} digits)"
                raise PluralFormsError(f"the number {shown} is too large for a plural "
                                       f"expression (at most {MAX_LITERAL})")
            tokens.append(number or name or operator)
            position = found.end()
        return tokens

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str | None:
        token = self._peek()
        self.position += 1
        return token

    def _describe(self) -> str:
        token = self._peek()
        return "end of the expression" if token is None else f"{token!r}"

    def _expect(self, token: str, where: str) -> None:
        if self._peek() != token:
            raise PluralFormsError(f"expected {token!r} {where} but found {self._describe()} "
                                   f"in plural={_quote(self.text, 60)}")
        self.position += 1

    def _enter(self) -> None:
        self.active += 1
        if self.active > MAX_DEPTH:
            raise PluralFormsError(f"plural expression nests more than {MAX_DEPTH} levels "
                                   "deep")

    def _node(self, evaluate: Evaluate, *children: _Node) -> _Node:
        depth = 1 + max((c.depth for c in children), default=0)
        if depth > MAX_DEPTH:
            raise PluralFormsError(f"plural expression nests more than {MAX_DEPTH} levels "
                                   "deep")
        return _Node(evaluate, depth)

    def _conditional(self) -> _Node:
        """condition ? a : b, right-associative, below every binary operator."""
        self._enter()
        condition = self._binary(1)
        if self._peek() == "?":
            self.position += 1
            if_true = self._conditional()
            self._expect(":", "after the '?' part of a condition")
            if_false = self._conditional()
            condition = self._node(_choose(condition.evaluate, if_true.evaluate,
                                           if_false.evaluate), condition, if_true, if_false)
        self.active -= 1
        return condition

    def _binary(self, lowest: int) -> _Node:
        self._enter()
        left = self._unary()
        while True:
            operator = self._peek()
            precedence = _BINARY.get(operator or "", 0)
            if precedence < lowest or operator is None:
                break
            self.position += 1
            right = self._binary(precedence + 1)
            if operator in ("/", "%") and right.literal == 0:
                raise PluralFormsError(f"'{operator} 0' divides by zero")
            if operator in ("/", "%") and right.literal is None:
                raise PluralFormsError(
                    f"'{operator}' must be followed by a number written out, as in "
                    f"n {operator} 10 (dividing by an expression is not allowed)")
            left = self._node(_operation(operator, left, right), left, right)
        self.active -= 1
        return left

    def _unary(self) -> _Node:
        nots = 0
        while self._peek() == "!":
            self.position += 1
            nots += 1
        node = self._primary()
        for _ in range(nots):
            node = self._node(_not(node.evaluate), node)
        return node

    def _primary(self) -> _Node:
        token = self._take()
        if token == "n":
            return _Node(_identity)
        if token is not None and token.isdigit():
            value = int(token)
            self.literals.add(value)
            return _Node(_constant(value), literal=value)
        if token == "(":
            inner = self._conditional()
            self._expect(")", "to close a '('")
            return inner
        self.position -= 1
        raise PluralFormsError(f"expected n, a number or '(' but found {self._describe()} "
                               f"in plural={_quote(self.text, 60)}")


# -- closures ------------------------------------------------------------------------------


def _identity(n: int) -> int:
    return n


def _constant(value: int) -> Evaluate:
    return lambda n: value


def _not(a: Evaluate) -> Evaluate:
    return lambda n: 0 if a(n) else 1


def _choose(condition: Evaluate, if_true: Evaluate, if_false: Evaluate) -> Evaluate:
    return lambda n: if_true(n) if condition(n) else if_false(n)


def _operation(operator: str, left: _Node, right: _Node) -> Evaluate:
    """The closure for `left operator right`; / and % only ever have a positive literal
    on their right (the parser refuses anything else)."""
    a, b = left.evaluate, right.evaluate
    if operator in ("/", "%"):
        d = right.literal
        assert d is not None and d > 0
        if a is _identity:  # n % 10, the commonest case
            return (lambda n: n // d) if operator == "/" else (lambda n: n % d)
        return (lambda n: a(n) // d) if operator == "/" else (lambda n: a(n) % d)
    if operator == "||":
        return lambda n: 1 if a(n) or b(n) else 0
    if operator == "&&":
        return lambda n: 1 if a(n) and b(n) else 0
    if operator == "==":
        return lambda n: 1 if a(n) == b(n) else 0
    if operator == "!=":
        return lambda n: 1 if a(n) != b(n) else 0
    if operator == "<":
        return lambda n: 1 if a(n) < b(n) else 0
    if operator == "<=":
        return lambda n: 1 if a(n) <= b(n) else 0
    if operator == ">":
        return lambda n: 1 if a(n) > b(n) else 0
    if operator == ">=":
        return lambda n: 1 if a(n) >= b(n) else 0
    if operator == "+":
        return lambda n: (a(n) + b(n)) & _MASK
    if operator == "-":
        return lambda n: (a(n) - b(n)) & _MASK
    assert operator == "*"
    return lambda n: (a(n) * b(n)) & _MASK
