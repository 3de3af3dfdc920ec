"""publication/build/collector.py: the collector's thresholds while documents are made."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from publication.build import collector


@pytest.fixture(autouse=True)
def python_thresholds() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_batch_collects_less_often_and_restores() -> None:
    with collector.batch():
        assert gc.get_threshold() == collector.THRESHOLD
        assert gc.get_freeze_count() > 0  # what was loaded is set aside
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_batch_restores_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector.batch():
        raise RuntimeError("a target failed")
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_one_build_keeps_the_thresholds_after_its_batch() -> None:
    collector.one_build()
    with collector.batch():
        pass
    assert gc.get_threshold() == collector.THRESHOLD
    assert collector.THRESHOLD[0] > 700
