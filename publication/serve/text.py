"""The web app's words, through the publications' own catalogues.

The page and the README are Jinja templates (publication/serve/templates) whose strings
are `pgettext("serve.…", "…")` calls: `make_pdf.py extract` finds them (babel.cfg) and
they are translated in each locale's messages.po beside the publications' messages, with
the same checks (`compile_catalog`). A message a catalogue lacks, or has fuzzy, is shown
in English, as in the publications.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from babel.support import Translations
from markupsafe import Markup

from publication.errors import InputError
from publication.i18n.catalog import compile_catalog, source_catalog
from publication.i18n.locales import LocaleInfo, locale_info
from publication.model import SOURCE_LOCALE, Project

TEMPLATES = Path(__file__).parent / "templates"
Gettext = Callable[..., str]


@functools.cache
def environment() -> jinja2.Environment:
    """The page's Jinja2 environment: autoescaped HTML, strict about missing values."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True, lstrip_blocks=True,
    )


@functools.cache
def _translations(root: Path, code: str) -> Translations:
    if code == SOURCE_LOCALE:
        return source_catalog().translations
    try:
        return compile_catalog(Project(root), code).translations
    except InputError:  # a broken catalogue: the page in English, as its publications fail
        return source_catalog().translations


def translator(project: Project, code: str, html: bool = True) -> Gettext:
    """`pgettext(context, message, **values)` in `code`'s language: the translation
    with `%(name)s` values filled in (escaped first on an HTML page)."""
    translations = _translations(project.root, code)

    def pgettext(context: str, message: str, **values: Any) -> str:
        text = str(translations.pgettext(context, message))
        if html:  # the catalogue's text (checked like the publications'), values escaped
            return str(Markup(text) % values if values else Markup(text))
        return text % values if values else text

    return pgettext


def info(code: str) -> LocaleInfo:
    return locale_info(code)


def render_text(project: Project, code: str, template: str, **context: Any) -> str:
    """A template of the app rendered in `code`'s language."""
    html = template.endswith(".html")
    return environment().get_template(template).render(
        pgettext=translator(project, code, html), locale=info(code), **context)
