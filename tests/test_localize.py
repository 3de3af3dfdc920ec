"""Translations with fallback, plurals, numbers and dates (publication/localize.py)."""

from __future__ import annotations

import datetime as dt

import jinja2
import pytest
from babel.messages.plurals import get_plural

from publication.i18n import catalog, checks
from publication.i18n.catalog import source_catalog
from publication.i18n.locales import locale_info
from publication.i18n.localize import Localizer, localize_digits
from publication.model import Project
from publication.source.content import Text
from tests.translating import ctx, entry_line, start_catalog

PLURAL = Text(ctx("facts.protest-days"), "%(count)s day of protest", 17,
              plural="%(count)s days of protest", count=3)


def test_translated_fuzzy_and_untranslated(project: Project) -> None:
    path = start_catalog(project, "de", {"title": "Testkampagne", "headline": "Unscharf"},
                         fuzzy=frozenset({"headline"}))
    loc = Localizer(catalog.compile_catalog(project, "de"), locale_info("de"))
    assert loc.text(Text(ctx("title"), "Fixture campaign", 6)) == "Testkampagne"
    assert loc.text(Text(ctx("headline"), "Free the fixture", 7)) == "Free the fixture"
    assert loc.text(Text(ctx("subtitle"), "A short subtitle", 8)) == "A short subtitle"
    fallbacks = {f.context: f for f in loc.fallbacks.values()}
    headline, subtitle = ctx("headline"), ctx("subtitle")
    assert set(fallbacks) == {headline, subtitle}
    assert fallbacks[headline].state == "fuzzy"
    assert fallbacks[headline].line == entry_line(path, "headline", "msgid")
    assert fallbacks[headline].describe("messages.po") == (
        f"messages.po:{entry_line(path, 'headline', 'msgid')}: fuzzy message "
        "'fixture/headline' shown in the source language")
    assert fallbacks[subtitle].state == "untranslated"
    assert loc.used == {(ctx("title"), "Fixture campaign"), (headline, "Free the fixture"),
                        (subtitle, "A short subtitle")}


def test_plural_forms_follow_the_locale(project: Project) -> None:
    forms = tuple(f"form{i} %(count)s" for i in range(6))
    start_catalog(project, "ar", {"facts.protest-days": forms})
    loc = Localizer(catalog.compile_catalog(project, "ar"), locale_info("ar"))
    picked = {n: str(loc.text(Text(PLURAL.context, PLURAL.source, 17, PLURAL.plural, n)))
              for n in (0, 1, 2, 3, 11, 100)}
    # Babel's Arabic rule, which `init` wrote: 0, 1, 2, 3-10, then 11-99 and 100-102 (forms
    # 4 and 5 from Babel 2.19 on, as in GNU gettext; 5 and 4 up to 2.18).
    eleven, hundred = (4, 5) if "n % 100 >= 11" in get_plural("ar").plural_expr else (5, 4)
    assert picked == {0: "form0 0", 1: "form1 1", 2: "form2 2", 3: "form3 3",
                      11: f"form{eleven} 11", 100: f"form{hundred} 100"}


def test_source_locale_uses_english_plural_and_number_format() -> None:
    loc = Localizer(source_catalog(), locale_info("en"))
    assert loc.text(PLURAL) == "3 days of protest"
    one = Text(PLURAL.context, PLURAL.source, 17, PLURAL.plural, 1)
    assert loc.text(one) == "1 day of protest"
    big = Text(PLURAL.context, PLURAL.source, 17, PLURAL.plural, 12500)
    assert loc.text(big) == "12,500 days of protest"


@pytest.mark.parametrize("code, number, date", [
    ("de", "12.500", "4. März 2020"),
    ("fr", "12\u202f500", "4 mars 2020"),
    ("ar", "12,500", "4 مارس 2020"),              # CLDR: Arabic in general writes 0-9
    ("ar_EG", "١٢٬٥٠٠", "٤ مارس ٢٠٢٠"),           # Egypt writes Arabic-Indic digits
    ("fa", "۱۲٬۵۰۰", None),                        # Persian: extended Arabic-Indic digits
    ("hi", "12,500", None),
    ("mr", "१२,५००", None),                         # Marathi: Devanagari digits
])
def test_numbers_and_dates_in_the_locales_digits(code: str, number: str, date: str | None) -> None:
    loc = Localizer(source_catalog(), locale_info(code))
    assert loc.number(12500) == number
    if date is not None:
        assert loc.date(dt.date(2020, 3, 4)) == date
    assert not any(ch.isdigit() and ch not in "0123456789" for ch in localize_digits("12", "latn"))


def test_template_strings_are_escaped_and_keep_their_placeholders(project: Project) -> None:
    start_catalog(project, "fr", {"petition.table.name": 'Nom & "prénom"',
                                  "common.qr.alt": "Code QR : %(url)s"})
    loc = Localizer(catalog.compile_catalog(project, "fr"), locale_info("fr"))
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(  # type: ignore[attr-defined]
        loc.gettext, loc.ngettext, newstyle=True, pgettext=loc.pgettext,
        npgettext=loc.npgettext)
    html = env.from_string(
        '<th aria-label="{{ pgettext("petition.table.name", "Name") }}">'
        '{{ pgettext("common.qr.alt", "QR code: opens the petition at %(url)s", url=u) }}'
        "</th>").render(u='https://x.example/?a=1&b="2"')
    assert html == ('<th aria-label="Nom &amp; &#34;prénom&#34;">'
                    "Code QR : https://x.example/?a=1&amp;b=&#34;2&#34;</th>")


def _jinja(loc: Localizer, source: str) -> str:
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(  # type: ignore[attr-defined]
        loc.gettext, loc.ngettext, newstyle=True, pgettext=loc.pgettext,
        npgettext=loc.npgettext)
    return env.from_string(source).render()


def test_a_percent_sign_is_one_in_a_template_string_without_placeholders(
        project: Project) -> None:
    # Jinja %-formats every template string: the Localizer doubles the % of one that has
    # no placeholder, so that a translator writes 100 % as in any other text.
    start_catalog(project, "fr", {"petition.table.name": "Nom à 100 %",
                                  "common.qr.alt": "Code QR à 100 %% : %(url)s"})
    assert checks.check_catalog(project.po("fr"), "fr")[1] == []
    loc = Localizer(catalog.compile_catalog(project, "fr"), locale_info("fr"))
    assert _jinja(loc, '{{ pgettext("petition.table.name", "Name") }}') == "Nom à 100 %"
    assert _jinja(loc, '{{ pgettext("common.qr.alt", "QR code: opens the petition at %(url)s",'
                       ' url="https://x.example/") }}') == "Code QR à 100 % : https://x.example/"
    assert not loc.fallbacks


def test_a_lone_percent_sign_in_a_message_with_placeholders_is_a_problem(
        project: Project) -> None:
    path = start_catalog(project, "fr", {"common.qr.alt": "Code QR à 100 % : %(url)s"})
    [problem] = checks.check_catalog(path, "fr")[1]
    assert problem.line == entry_line(path, "common.qr.alt")
    assert "a % sign that is not a placeholder: write %% for a percent sign" in problem.message


def test_templates_must_give_a_context() -> None:
    loc = Localizer(source_catalog(), locale_info("en"))
    with pytest.raises(TypeError, match="needs a context"):
        loc.gettext("Signature")
