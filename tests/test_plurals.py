"""Our own reader of gettext Plural-Forms headers (publication/plurals.py)."""

from __future__ import annotations

import gettext
import time
import tracemalloc

import pytest
from babel.messages.plurals import PLURALS, get_plural

from publication.i18n.plurals import (
    EXAMPLE,
    LARGE_PROBES,
    MAX_DEPTH,
    PluralFormsError,
    PluralRule,
    compare_grouping,
    parse_plural_forms,
    probe_numbers,
)
from tests.plurals_data import BABEL_2_18, GNU


def rule(expression: str, nplurals: int = 2) -> PluralRule:
    return parse_plural_forms(f"nplurals={nplurals}; plural={expression};")


# -- valid rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("header", [*GNU.values(), *BABEL_2_18.values()])
def test_gnu_and_older_babel_rules_parse(header: str) -> None:
    parsed = parse_plural_forms(header)
    assert parsed.header.startswith(f"nplurals={parsed.nplurals}; plural=")
    assert parsed.unreachable == ()
    assert all(0 <= parsed(n) < parsed.nplurals for n in parsed.probes())


def test_every_rule_of_the_installed_babel_parses_and_agrees_with_gettext() -> None:
    """`init` writes these; gettext's own c2py is the reference on numbers where C and
    Python agree (below 2**32, no rule of Babel's subtracts)."""
    for code, (count, expression) in PLURALS.items():
        parsed = parse_plural_forms(f"nplurals={count}; plural={expression};")
        assert parsed.unreachable == (), code
        reference = gettext.c2py(expression)
        for n in parsed.probes():
            if n < 2**32:
                assert parsed(n) == reference(n), (code, n)
    assert parse_plural_forms(get_plural("fr").plural_forms).nplurals == \
        get_plural("fr").num_plurals


def test_the_shipped_languages_pick_the_forms_gettext_picks() -> None:
    fr, ar, he4 = (parse_plural_forms(GNU[c]) for c in ("fr", "ar", "he4"))
    assert [fr(n) for n in (0, 1, 2, 1_000_000)] == [0, 0, 1, 1]
    assert [ar(n) for n in (0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111)] == \
        [0, 1, 2, 3, 3, 4, 4, 5, 5, 3, 4]
    assert [he4(n) for n in (1, 2, 3, 10, 20, 21, 100)] == [0, 1, 3, 3, 2, 3, 2]
    cldr_fr = parse_plural_forms("nplurals=3; plural=(n == 0 || n == 1) ? 0 : "
                                 "n != 0 && n % 1000000 == 0 ? 1 : 2;")
    assert [cldr_fr(n) for n in (0, 1, 2, 1_000_000, 2_000_000, 1_000_001)] == \
        [0, 0, 2, 1, 1, 2]


def test_spacing_and_the_final_semicolon_are_free() -> None:
    for header in ("nplurals=2; plural=n != 1;", "nplurals=2;plural=n!=1", "  nplurals = 2 ;"
                   " plural = ( n != 1 ) ; ", "nplurals=2; plural=\t(n\t!= 1);"):
        parsed = parse_plural_forms(header)
        assert (parsed.nplurals, parsed(1), parsed(0), parsed(2)) == (2, 0, 1, 1), header


@pytest.mark.parametrize("expression, values", [
    # * / % bind tighter than + -, which bind tighter than comparisons
    ("2 + 3 * 4 == 14", {0: 1}),
    ("n / 10 % 10 == 1", {10: 1, 15: 1, 110: 1, 1: 0, 100: 0}),        # (n / 10) % 10
    ("n - 1 - 1 == 0", {2: 1, 0: 0}),                                  # left-associative
    ("n < 5 == 1", {4: 1, 5: 0}),                                      # (n < 5) == 1
    ("n == 1 || n == 2 && n == 3", {1: 1, 2: 0, 3: 0}),                # && before ||
    ("(n == 1 || n == 2) && n == 2", {1: 0, 2: 1}),
    ("!n == 0", {0: 0, 5: 1}),                                          # (!n) == 0
    ("!(n == 0)", {0: 0, 5: 1}),
    ("!!n", {0: 0, 7: 1}),
    ("n == 1 ? 0 : n == 2 ? 1 : 2", {1: 0, 2: 1, 3: 2}),               # right-associative
    ("n > 1 ? n > 5 ? 2 : 1 : 0", {0: 0, 3: 1, 9: 2}),                 # ?: inside ?:
    ("n % 10 >= 2 && n % 10 <= 4 ? 1 : 0", {2: 1, 14: 1, 15: 0, 22: 1}),
    # C unsigned long: 0 - 1 wraps to 2**64 - 1, and 2**64 to 0
    ("(n - 1) % 10 == 5", {0: 1, 6: 1, 1: 0}),
    ("n * 65536 * 65536 * 65536 * 65536 == 0", {1: 1, 3: 1}),
    ("n + 1 == 0", {2**64 - 1: 1, 0: 0}),
])
def test_c_precedence_associativity_and_unsigned_arithmetic(
        expression: str, values: dict[int, int]) -> None:
    parsed = rule(expression, 3)
    assert {n: parsed(n) for n in values} == values


def test_numbers_are_taken_modulo_2_to_the_64() -> None:
    parsed = rule("n == 0 ? 0 : 1")
    assert parsed(2**64) == 0 and parsed(-1 + 2**64) == 1 and parsed(-2**64) == 0


def test_an_index_beyond_nplurals_gives_form_0_as_in_gnu_libintl() -> None:
    # Only n from 1400000 to 1400006 gives 5: no probed number does, so the rule is
    # accepted; at run time such an index falls back to form 0.
    parsed = rule("n / 7 == 200000 ? 5 : n != 1")
    assert parsed(1_400_003) == 0 and parsed(2) == 1


def test_literals_and_their_neighbours_are_probed() -> None:
    parsed = rule("n == 123456789 ? 2 : n != 1", 3)
    assert {123456788, 123456789, 123456790} <= set(parsed.probes())
    assert set(range(1001)) | set(LARGE_PROBES) <= set(probe_numbers())
    with pytest.raises(PluralFormsError, match="gives form 2 for n=123456789"):
        rule("n == 123456789 ? 2 : n != 1")


def test_a_form_no_number_gets_is_reported_not_refused() -> None:
    assert rule("n != 1", 3).unreachable == (2,)
    assert parse_plural_forms("nplurals=2; plural=0;").unreachable == (1,)
    assert parse_plural_forms(GNU["he4"]).unreachable == ()


def test_grouping_compares_which_numbers_share_a_form() -> None:
    cldr = {code: parse_plural_forms(get_plural(code).plural_forms)
            for code in ("fr", "es", "de", "ar", "he")}
    old = {code: parse_plural_forms(header) for code, header in BABEL_2_18.items()}
    # GNU's Arabic rule and Babel 2.18's number 11-99 and 100-102 the other way round.
    assert compare_grouping(parse_plural_forms(GNU["ar"]), old["ar"]).relation == "same"
    assert compare_grouping(parse_plural_forms(GNU["ar"]), cldr["ar"]).relation == "same"
    assert compare_grouping(old["de"], cldr["de"]).relation == "same"
    for code in ("fr", "es", "he"):  # CLDR's newer forms: "many" millions, Hebrew's dual
        if cldr[code].nplurals > old[code].nplurals:
            assert compare_grouping(old[code], cldr[code]).relation == "coarser"
            assert compare_grouping(cldr[code], old[code]).relation == "finer"
    wrong = compare_grouping(parse_plural_forms(GNU["fr"]), cldr["de"])
    assert wrong.relation == "different" and wrong.merged == (0, 1) and wrong.split == (2, 0)


# -- refused rules -------------------------------------------------------------------------


HOSTILE = {
    "modulo by zero": "nplurals=2; plural=(n%0);",
    "division by zero in one branch": "nplurals=2; plural=(n==2000 ? n/0 : n!=1);",
    "division by an expression": "nplurals=2; plural=n % (n - n + 1) != 1;",
    "ten million forms": "nplurals=10000000; plural=(n != 1);",
    "no forms": "nplurals=0; plural=0;",
    "seven forms": "nplurals=7; plural=(n % 7);",
    "a negative count": "nplurals=-1; plural=0;",
    "a count that is no number": "nplurals=two; plural=(n != 1);",
    "a count of 5000 digits": "nplurals=" + "9" * 900 + "; plural=0;",
    "Python": "nplurals=2; plural=__import__('os').system('touch /tmp/pwned');",
    "a Python call": "nplurals=2; plural=int(n != 1);",
    "a name": "nplurals=2; plural=(x != 1);",
    "a lambda": "nplurals=2; plural=(lambda: 1)();",
    "Python's power": "nplurals=2; plural=n ** 2;",
    "a string": "nplurals=2; plural='1';",
    "a semicolon inside": "nplurals=2; plural=n; n != 1;",
    "10000 nested parentheses": "nplurals=2; plural=" + "(" * 10000 + "n" + ")" * 10000 + ";",
    "deep nesting within the length": "nplurals=2; plural=" + "(" * 400 + "n!=1" + ")" * 400,
    "a long chain": "nplurals=2; plural=" + "n+" * 300 + "n != 1;",
    "many nots": "nplurals=2; plural=" + "!" * 500 + "n;",
    "nested conditions": "nplurals=2; plural=" + "n ? " * 200 + "1" + " : 0" * 200 + ";",
    "a long header": "nplurals=2; plural=(n != 1);" + " " * 2000 + "x",
    "a big literal": "nplurals=2; plural=n > 99999999999999999999999;",
    "a huge literal": "nplurals=2; plural=n > " + "9" * 900 + ";",
    "garbage": "this is not a rule",
    "empty": "",
    "no expression": "nplurals=2; plural=;",
    "no plural": "nplurals=2;",
    "unbalanced": "nplurals=2; plural=(n != 1;",
    "unbalanced the other way": "nplurals=2; plural=n != 1);",
    "half a condition": "nplurals=2; plural=n == 1 ? 0;",
    "a form out of range": "nplurals=2; plural=n;",
    "a negative form": "nplurals=2; plural=n - 2;",
    "a unary minus": "nplurals=2; plural=-n;",
    "Arabic-Indic digits": "nplurals=2; plural=n != \u0661;",
    "a control character": "nplurals=2; plural=n\x00 != 1;",
}


@pytest.mark.parametrize("header", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_rules_are_refused_fast_with_a_readable_message(header: str) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(PluralFormsError) as caught:
            parse_plural_forms(header)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < 1.0
    assert peak < 5_000_000
    message = str(caught.value)
    assert isinstance(caught.value, ValueError)
    assert message.endswith(f"a valid header looks like '{EXAMPLE}'")
    assert caught.value.problem and len(message) < 400, message


@pytest.mark.parametrize("header, words", [
    ("nplurals=2; plural=(n%0);", "'% 0' divides by zero"),
    ("nplurals=2; plural=(n==2000 ? n/0 : n!=1);", "'/ 0' divides by zero"),
    ("nplurals=2; plural=n % (5 + 5) != 1;", "'%' must be followed by a number written out"),
    ("nplurals=10000000; plural=(n != 1);", "nplurals must be from 1 to 6"),
    ("nplurals=2; plural=__import__('os');", "'__import__' is not allowed"),
    ("nplurals=2; plural=" + "(" * 60 + "n" + ")" * 60 + ";", f"more than {MAX_DEPTH} levels"),
    ("nplurals=2; plural=n > 99999999999;", "the number 99999999999 is too large"),
    ("nplurals=2; plural=n;", "gives form 2 for n=2, but with nplurals=2 the forms are 0 to 1"),
    ("nplurals=2; plural=(n != 1;", "expected ')' to close a '('"),
])
def test_messages_say_what_is_wrong(header: str, words: str) -> None:
    with pytest.raises(PluralFormsError) as caught:
        parse_plural_forms(header)
    assert words in str(caught.value)


def test_nesting_within_the_limit_is_fine() -> None:
    assert rule("(" * 20 + "n != 1" + ")" * 20)(2) == 1
