"""docs/synthesis-walkthrough.md works as written: every command runs, in order, on a fresh
store over the bundled corpus, and every output line the doc shows appears in what the command
printed (the same runner as the review walkthrough)."""

from __future__ import annotations

import shlex

import pytest
from conftest import ROOT
from test_review_walkthrough import doc_steps, walk

DOC = ROOT / "docs" / "synthesis-walkthrough.md"


@pytest.mark.slow
def test_synthesis_walkthrough_runs_as_written(tmp_path, monkeypatch):
    walk(DOC, tmp_path, monkeypatch)
    for name in ("flow.svg", "theory.svg", "theory.dot", "refinement.md", "cmoc.md",
                 "rameses.md", "gaps.md", "active-ingredients.md", "cooccurrence.md"):
        assert (tmp_path / name).stat().st_size > 0, name
    theory = (tmp_path / "theory.dot").read_text(encoding="utf-8")
    assert '"cmoc2_o" -> "cmoc3_c"' in theory and "outcome as context" in theory
    trail = (tmp_path / "refinement.md").read_text(encoding="utf-8")
    assert "initial theory" in trail and "the hub report ties quicker access" in trail


def test_synthesis_walkthrough_commands_are_supported():
    """Fast check (the run itself is slow): the doc walks from coded fragments to the
    checklist, with commands of a supported kind."""
    steps = doc_steps(DOC.read_text(encoding="utf-8"))
    assert len(steps) > 40
    heads = [shlex.split(c.split(" | ")[-1])[:3] for c, _ in steps]
    assert all(h[0] in ("realistcoder", "export") for h in heads)
    used = {" ".join(h[1:3]) for h in heads if h[0] == "realistcoder"}
    for needed in ("cmoc show", "cmoc history", "export theory", "flow -o", "report rameses",
                   "audit --appraisal", "export refinement"):
        assert needed in used, needed
