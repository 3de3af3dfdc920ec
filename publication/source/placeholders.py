"""Placeholders: the `%(count)s` the program fills in, and every other use of `%`.

A message with a placeholder is %-formatted (publication.i18n.checks.is_formatted), so
in it `%%` is a percent sign and `%(name)s` a value. Python's formatting also takes a
width or precision (`%(count)20000000s`): a translation could make the program write
millions of spaces, which WeasyPrint lays out in quadratic time. So the text is never
formatted to find out whether it would work: `specs` reads every `%` conversion, and
`format_problem` says what is wrong with the first bad one, in words.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from publication.errors import shown

# A placeholder as the program writes it: `%(count)s` in a text with a number, `%(url)s`
# in a template string.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
TYPES = "sdif"  # the conversions a placeholder may have
# Python's conversion specifier (printf-style String Formatting), read as written.
_SPEC = re.compile(r"%(?:(?P<percent>%)|(?:\((?P<name>[^()]*)\))?(?P<flags>[#0 +\-]*)"
                   r"(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d*))?(?P<length>[hlL]?)"
                   r"(?P<type>[\s\S]?))")


@dataclass(frozen=True)
class Spec:
    """One `%` conversion of a text (not `%%`)."""

    text: str            # as written: %(count)s, %(count)20000000s, %s, "% " ...
    name: str | None     # the (name), if any
    type: str            # the conversion letter ('' at the end of the text)
    plain: bool          # no flags, width, precision or length modifier

    @property
    def placeholder(self) -> bool:
        """A named placeholder of the program's kind (with or without a width)."""
        return self.name is not None and self.name.isidentifier() and len(self.type) == 1 \
            and self.type in TYPES

    @property
    def written(self) -> str:
        """The placeholder as the program's texts write it: `%(count)s`."""
        return f"%({self.name})s"


def specs(text: str) -> list[Spec]:
    """Every `%` conversion in `text`, in order (`%%` is a percent sign, not one)."""
    found = []
    for match in _SPEC.finditer(text):
        if match.group("percent"):
            continue
        plain = not any(match.group(part) for part in ("flags", "width", "length")) \
            and match.group("precision") is None
        found.append(Spec(match.group(), match.group("name"), match.group("type"), plain))
    return found


def format_problem(text: str, names: Collection[str]) -> str | None:
    """What keeps `text` from being %-formatted with the placeholders `names` as the
    program formats it, in words; None when nothing does."""
    for spec in specs(text):
        if spec.placeholder and not spec.plain:
            return (f"placeholder {shown(spec.text, 30)} has a width or precision, which "
                    "the program does not use (it could make the text millions of characters "
                    f"long): write it {spec.written}")
        if not spec.placeholder:
            return "a % sign that is not a placeholder: write %% for a percent sign"
        if spec.name not in names:
            return f"placeholder {shown(spec.text, 30)} is not in the source text"
    return None
