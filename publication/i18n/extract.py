"""Babel extractor for campaign content, registered as the `campaign` entry point.

`pybabel extract -F babel.cfg -c Translators: -o locales/messages.pot .` and
`python make_pdf.py extract` both call it, so they give the same catalogue.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from publication.source.content import Text, load_campaign, shown_texts
from publication.source.markup import parse_inline

ExtractResult = tuple[int, str, tuple[str, ...], list[str]]


def extract_campaign(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[ExtractResult]:
    """Yield one message per translatable unit of a campaign.yaml that some publication
    prints (a news item shown on no kind is not asked for), with its context."""
    path = Path(getattr(fileobj, "name", "campaign.yaml"))
    campaign = load_campaign(path.parent)
    for text in shown_texts(campaign):
        yield text_message(text)


def text_message(text: Text) -> ExtractResult:
    """The Babel extraction tuple for one content Text."""
    comments = [text.note] if text.note else []
    tags = sorted({f"<{t.name}>" for t in parse_inline(text.source).tags})
    if tags:
        comments.append(f"Inline markup: keep {', '.join(tags)} around the same words; "
                        "no other tags. Link addresses must stay the same.")
    if text.plural is not None:
        return text.line, "npgettext", (text.context, text.source, text.plural), comments
    return text.line, "pgettext", (text.context, text.source), comments
