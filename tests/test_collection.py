"""The garbage collector tuning of batch work: on during `propose`, everything put back after,
also when the run fails."""

from __future__ import annotations

import gc

import pytest
from test_propose import add_document, codebook

from realistcoder import collection
from realistcoder.collection import fewer_collections
from realistcoder.propose import run as run_module
from realistcoder.propose.run import propose
from realistcoder.store import open_store
from realistcoder.store.codebooks import save_codebook


def test_tuned_inside_and_restored_after():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with fewer_collections():
        assert gc.get_threshold()[0] == max(before[0], collection.YOUNG_THRESHOLD)
        assert gc.get_threshold()[1:] == before[1:]
        if not frozen:  # what was alive is out of the collector's way
            assert gc.get_freeze_count() > 0
        with fewer_collections():  # nested: nothing changes, nothing is undone early
            assert gc.get_threshold()[0] == max(before[0], collection.YOUNG_THRESHOLD)
        assert gc.get_threshold()[0] == max(before[0], collection.YOUNG_THRESHOLD)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_restored_when_the_block_raises():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("interrupted")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_untuned_leaves_the_collector_alone(monkeypatch):
    monkeypatch.setattr(collection, "TUNED", False)
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == before


def test_propose_runs_tuned_and_puts_the_collector_back(db_path, monkeypatch):
    add_document(db_path, "site-a.pdf")
    store = open_store(db_path)
    cb = codebook()
    seen = []
    real = run_module._propose_document

    def spy(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(run_module, "_propose_document", spy)
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    summary = propose(store, [(save_codebook(store, cb), cb)])
    store.close()
    assert summary.sentences > 0
    assert seen == [max(before[0], collection.YOUNG_THRESHOLD)]
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
