"""The small inline markup allowed in translatable text, parsed strictly.

Source strings and translations may use only <em>, <strong>, <a href="...">
and <span lang="...">. `parse_inline` checks a string and returns its tags;
`to_markup` re-serialises a checked string so that nothing but those tags
(with escaped text and attributes) can reach the HTML given to WeasyPrint.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from markupsafe import Markup, escape

from publication.errors import shown

ALLOWED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "em": (),
    "strong": (),
    "a": ("href",),
    "span": ("lang",),
}
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_HREF_RE = re.compile(r"^(https://|mailto:)[^\s<>\"']+$")
_UNFINISHED_RE = re.compile(r"<[A-Za-z/!?]")  # a tag, not a lone "<"
# Tags inside each other: a text needs two or three (a link in emphasis); thousands would
# overflow the stack of whatever reads the HTML next (html5lib, WeasyPrint's layout).
MAX_NESTING = 8
MAX_HREF = 300  # characters of a link address: a printed one is much shorter


class MarkupProblem(ValueError):
    """Inline markup that is not allowed or not well formed."""


@dataclass(frozen=True)
class InlineTag:
    """One opening tag with its single allowed attribute value ('' when none)."""

    name: str
    value: str


@dataclass(frozen=True)
class Inline:
    """A checked string: its tags in order and the token stream to re-serialise."""

    tags: tuple[InlineTag, ...]
    tokens: tuple[tuple[str, str, str], ...]  # (kind, name-or-text, attribute value)

    @property
    def plain_text(self) -> str:
        return "".join(text for kind, text, _ in self.tokens if kind == "text")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str, str]] = []
        self.tags: list[InlineTag] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_ATTRIBUTES:
            raise MarkupProblem(f"tag <{tag}> is not allowed (allowed: "
                                + ", ".join(f"<{t}>" for t in ALLOWED_ATTRIBUTES) + ")")
        wanted = ALLOWED_ATTRIBUTES[tag]
        names = [name for name, _ in attrs]
        if sorted(names) != sorted(wanted):
            raise MarkupProblem(f"<{tag}> must have exactly the attributes "
                                f"{', '.join(wanted) or 'none'}, not {', '.join(names) or 'none'}")
        value = attrs[0][1] or "" if attrs else ""
        if tag == "a" and len(value) > MAX_HREF:
            raise MarkupProblem(f"the link address {shown(value, 40)} is {len(value):,} "
                                f"characters long; at most {MAX_HREF} are allowed")
        if tag == "a" and not _HREF_RE.match(value):
            raise MarkupProblem(f"the link address {shown(value, 40)} must be an https: "
                                "or mailto: address, not data:, javascript: or another kind")
        if tag == "span" and not _LANG_RE.match(value):
            raise MarkupProblem(f"lang={shown(value, 30)} is not a language code (like en or "
                                "pt-BR)")
        if len(self.stack) >= MAX_NESTING:
            raise MarkupProblem(f"tags nested more than {MAX_NESTING} deep (<{tag}> inside "
                                f"{len(self.stack)} open tags): a text needs two or three at "
                                "most; close each tag before opening the next")
        self.stack.append(tag)
        self.tags.append(InlineTag(tag, value))
        self.tokens.append(("start", tag, value))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise MarkupProblem(f"tag <{tag}/> is not allowed")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise MarkupProblem(f"closing </{tag}> does not match an open tag")
        self.stack.pop()
        self.tokens.append(("end", tag, ""))

    def handle_data(self, data: str) -> None:
        self.tokens.append(("text", data, ""))

    def handle_comment(self, data: str) -> None:
        raise MarkupProblem("HTML comments are not allowed")

    def handle_decl(self, decl: str) -> None:
        raise MarkupProblem("declarations are not allowed")

    def handle_pi(self, data: str) -> None:
        raise MarkupProblem("processing instructions are not allowed")

    def unknown_decl(self, data: str) -> None:
        raise MarkupProblem("CDATA and declarations are not allowed")


def parse_inline(text: str) -> Inline:
    """Check `text` against the allowed inline markup; raise MarkupProblem if it breaks it."""
    parser = _Parser()
    parser.feed(text)
    # What is left unparsed is an unfinished tag ('<img src="x"'); close() would hand
    # it over as text. Refuse it: it is a mistake or an attempt to smuggle markup.
    if _UNFINISHED_RE.match(parser.rawdata):
        raise MarkupProblem(f"unfinished markup: {shown(parser.rawdata, 30)} (write &lt; for "
                            "a less-than sign)")
    parser.close()
    if parser.stack:
        raise MarkupProblem(f"<{parser.stack[-1]}> is never closed")
    return Inline(tuple(parser.tags), tuple(parser.tokens))


def compare_markup(source: str, translation: str) -> list[str]:
    """What is wrong with the markup of `translation` given its `source` (empty when fine).

    A translation may use only the tag kinds its source uses and must keep every
    link target; a language span may carry any language the source's spans carry.
    """
    try:
        src = parse_inline(source)
    except MarkupProblem as exc:  # the source is checked on loading; be explicit anyway
        return [f"source string markup: {exc}"]
    try:
        dst = parse_inline(translation)
    except MarkupProblem as exc:
        return [str(exc)]
    problems: list[str] = []
    src_kinds = Counter(tag.name for tag in src.tags)
    for tag in dst.tags:
        if tag.name not in src_kinds:
            problems.append(f"<{tag.name}> is not in the source string, so it may not be used")
    src_links = sorted(t.value for t in src.tags if t.name == "a")
    dst_links = sorted(t.value for t in dst.tags if t.name == "a")
    if src_links != dst_links:
        problems.append("links must be the same as the source's: the source links to "
                        f"{_links(src_links)}, the translation to {_links(dst_links)}")
    src_langs = {t.value for t in src.tags if t.name == "span"}
    for tag in dst.tags:
        if tag.name == "span" and src_langs and tag.value not in src_langs:
            problems.append(f'<span lang="{tag.value}"> is not in the source string')
    return list(dict.fromkeys(problems))  # each problem once, however many tags have it


def _links(targets: list[str]) -> str:
    """Link addresses for a message: each quoted and cut, 'nothing' when there are none."""
    return ", ".join(shown(target, 60) for target in targets) if targets else "nothing"


def to_markup(text: str) -> Markup:
    """Re-serialise checked inline markup; raise MarkupProblem if `text` is not allowed."""
    out: list[str] = []
    for kind, name, value in parse_inline(text).tokens:
        if kind == "text":
            out.append(str(escape(name)))
        elif kind == "start":
            attr = ALLOWED_ATTRIBUTES[name]
            out.append(f'<{name} {attr[0]}="{escape(value)}">' if attr else f"<{name}>")
        else:
            out.append(f"</{name}>")
    return Markup("".join(out))
