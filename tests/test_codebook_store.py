"""Codebook versions in the store: same content is a no-op, changed content a new version."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from realistcoder.codebook import load_codebook
from realistcoder.errors import NotFoundError
from realistcoder.store import open_store
from realistcoder.store.codebooks import (
    code_row_ids,
    codebook_by_name,
    find_code,
    list_codebooks,
    save_codebook,
    store_codebook,
    stored_codebooks,
)

CODEBOOKS = Path(__file__).resolve().parents[1] / "codebooks"


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "review.db") as s:
        yield s


def test_same_content_is_stored_once_whatever_the_file(store, tmp_path):
    codebook = load_codebook(CODEBOOKS / "mcp-realist.yaml")
    first = save_codebook(store, codebook, source="a.yaml")
    assert store_codebook(store, codebook) == (first, False)
    from realistcoder.codebook import write_codebook

    as_qdc = load_codebook(write_codebook(codebook, tmp_path / "same.qdc"))
    assert save_codebook(store, as_qdc) == first
    assert len(list_codebooks(store)) == 1


def test_changed_content_is_a_new_version_and_old_codes_stay(store):
    v1 = load_codebook(CODEBOOKS / "mcp-realist.yaml")
    first = save_codebook(store, v1)
    v2 = copy.deepcopy(v1)
    v2.code("t1_access").terms.append("appointment wait")
    v2.version = "1.1"
    second = save_codebook(store, v2)
    assert second != first
    rows = list_codebooks(store)
    assert [(r.id, r.ordinal, r.latest) for r in rows] == [(first, 1, False), (second, 2, True)]
    latest = stored_codebooks(store)
    assert [(i, cb.version) for i, cb in latest] == [(second, "1.1")]
    assert latest[0][1].code("t1_access").terms[-1] == "appointment wait"
    assert len(stored_codebooks(store, latest_only=False)) == 2
    old_ids, new_ids = code_row_ids(store, first), code_row_ids(store, second)
    assert old_ids.keys() == new_ids.keys() and not set(old_ids.values()) & set(new_ids.values())
    assert len(old_ids) == len(v1.codes)
    # lookups by name and by code id go to the latest version
    assert codebook_by_name(store, "mcp-realist")[0] == second
    assert codebook_by_name(store, "mcp-realist", "1.0")[0] == first
    assert codebook_by_name(store, f"#{first}")[1] == v1
    row = find_code(store, "t1_access")
    assert (row["id"], row["codebook_version"], row["role"]) == (new_ids["t1_access"], "1.1",
                                                                  "outcome")


def test_stored_codebook_equals_the_loaded_one(store):
    codebook = load_codebook(CODEBOOKS / "mcp-components.yaml")
    codebook_id = save_codebook(store, codebook)
    [(stored_id, again)] = stored_codebooks(store)
    assert stored_id == codebook_id and again == codebook and again.sha256() == codebook.sha256()


def test_unknown_names_say_what_exists(store):
    save_codebook(store, load_codebook(CODEBOOKS / "logic-model.yaml"))
    with pytest.raises(NotFoundError, match="logic-model"):
        codebook_by_name(store, "logic-modle")
    with pytest.raises(NotFoundError, match="did you mean outcomes"):
        find_code(store, "outcomse")


def test_diff_between_versions():
    from realistcoder.codebook.diff import diff_codebooks

    old = load_codebook(CODEBOOKS / "mcp-realist.yaml")
    new = copy.deepcopy(old)
    new.codes = [c for c in new.codes if c.id != "t1_access"]
    new.code("t1_training").terms.append("peer shadowing")
    new.code("t1_willingness").label = "Willingness to work differently"
    diff = diff_codebooks(old, new)
    assert (diff.added, diff.removed, diff.meaning, diff.matching) == (
        [], ["t1_access"], ["t1_willingness"], ["t1_training"])
    assert diff.summary() == ("-1 code (t1_access); 1 with changed definitions (t1_willingness); "
                              "1 with changed terms (t1_training)")
    assert not diff_codebooks(old, old)


def test_a_broken_codebook_built_in_code_is_refused(store):
    from realistcoder.codebook import Code, Codebook
    from realistcoder.errors import CodebookError

    book = Codebook("b", "1", codes=[Code("a", "A", "context", terms=["x"]),
                                     Code("a", "A again", "context", terms=["y"])])
    with pytest.raises(CodebookError, match="duplicate code id 'a'"):
        save_codebook(store, book)
    assert list_codebooks(store) == []
