"""publication.source.placeholders: `%` conversions read, never formatted."""

from __future__ import annotations

import time
import tracemalloc

from publication.source.placeholders import format_problem, specs


def test_placeholders_and_percent_signs() -> None:
    assert [s.text for s in specs("%(count)s of %% and %(url)s")] == ["%(count)s", "%(url)s"]
    assert format_problem("%(count)s days, 50 %%", {"count"}) is None
    assert format_problem("50 % of %(count)s", {"count"}) == \
        "a % sign that is not a placeholder: write %% for a percent sign"
    assert format_problem("%(name)s", {"count"}) == \
        "placeholder '%(name)s' is not in the source text"
    assert format_problem("100%", {"count"}) == \
        "a % sign that is not a placeholder: write %% for a percent sign"


def test_a_width_or_precision_is_refused_without_formatting() -> None:
    tracemalloc.start()
    started = time.monotonic()
    for text in ("%(count)999999999d jours", "%(count).999999999s", "%(count)-20000000s",
                 "%(count)*s"):
        problem = format_problem(text, {"count"})
        assert problem is not None and problem.startswith("placeholder '%(count)"), problem
        assert problem.endswith("has a width or precision, which the program does not use "
                                "(it could make the text millions of characters long): "
                                "write it %(count)s") or "…" in problem, problem
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.monotonic() - started < 1 and peak < 1_000_000
