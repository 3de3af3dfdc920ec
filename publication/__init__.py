"""Accessible (PDF/UA) print publications in many languages from one campaign source.

The pipeline, one module per stage: `content` (load and validate), `catalog`
(Babel catalogues and their checks), `localize` (content in one language),
`render` (HTML with Jinja2), `typeset` (PDF with WeasyPrint), `tagging` (tag fixes),
`checks` (the accessibility gate), `impose` and `press` (print-shop files), and
`build` with `worker` (orchestration). See docs/ARCHITECTURE.md.
"""

from publication.errors import InputError, Problem, PublicationError, UsageError

__all__ = ["InputError", "Problem", "PublicationError", "UsageError"]
