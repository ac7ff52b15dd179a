"""Codebook regular expressions that could backtrack for ever are refused at validation (and a
codebook stored before the check is refused by propose) instead of hanging `propose`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from realistcoder.codebook.regex_safety import regex_risk
from tests.conftest import CORPUS

NOTE = CORPUS / "mdt-huddles-practice-note.md"

CODEBOOK = """name: regex-test
version: "1"
theories:
  - id: workforce
    label: Workforce
codes:
  - id: trust
    label: Trust
    role: context
    theory: workforce
    terms: [mutual trust]
    patterns:
      - [{{TEXT: {{REGEX: '{regex}'}}}}]
"""

CATASTROPHIC = [r"^(a+)+$", r"(a*)*b", r"(\w+\s?)*$", r"(x*a+)+$", r"^(a|aa)+$", r"(a|ab)*c",
                r"^(\d+)*$", r".*.*.*x", r"(?:[a-z]+[0-9]*)+!"]
HARMLESS = [r"^gp$", r"^(co-?)?(design|produc)", r"(\d+,)+", r"\d+(,\d+)*", r"(colou?r)+",
            r"^(?:a++)+$", r"^[A-Z][a-z]+$", r"(ab|cd)+", r".*x", r"\w+\s+\w+",
            r"^(?:nurse|pharmacist)s?$", r"[a-z]{2,5}", r"^(re)?admi(t|ssion)s?$", r"(\w|\d)+$"]


@pytest.mark.parametrize("expression", CATASTROPHIC)
def test_catastrophic_expressions_are_named(expression):
    assert regex_risk(expression)


@pytest.mark.parametrize("expression", HARMLESS)
def test_ordinary_expressions_pass(expression):
    assert regex_risk(expression) is None


def _codebook(tmp_path, regex: str):
    path = tmp_path / "codebook.yaml"
    path.write_text(CODEBOOK.format(regex=regex), encoding="utf-8")
    return path


def test_validate_refuses_a_catastrophic_regex_with_its_line(rc, tmp_path):
    path = _codebook(tmp_path, "^(a+)+$")
    result = rc("codebook", "validate", path, ok=False)
    assert result.exit_code != 0
    assert "codebook.yaml:13" in result.stderr + result.stdout
    assert "^(a+)+$" in result.stderr + result.stdout
    assert "could run for ever" in result.stderr + result.stdout
    assert rc("codebook", "validate", _codebook(tmp_path, "^trust(ed)?$")).exit_code == 0


def _run(db, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "realistcoder", "--db", str(db), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def test_propose_never_hangs_on_one(rc, tmp_path):
    """Before the check, this propose ran for ever on the token 'aaa…ab'."""
    doc = tmp_path / "doc.txt"
    doc.write_text("The staff noted " + "a" * 60 + "b in the log. Mutual trust grew.\n")
    rc("ingest", doc)
    result = _run(rc.db_path, "propose", "--codebook", _codebook(tmp_path, "^(a+)+$"))
    assert result.returncode == 1
    assert "could run for ever" in result.stderr and "Traceback" not in result.stderr


def test_a_codebook_stored_before_the_check_is_refused_by_propose(rc, tmp_path, monkeypatch):
    from realistcoder.store import codebooks

    doc = tmp_path / "doc.txt"
    doc.write_text("The staff noted " + "a" * 60 + "b in the log. Mutual trust grew.\n")
    rc("ingest", doc)
    monkeypatch.setattr(codebooks, "validate", lambda codebook: [])  # as an older version did
    monkeypatch.setattr("realistcoder.codebook.io.validate", lambda codebook, **kw: [])
    rc("codebook", "load", _codebook(tmp_path, "^(a+)+$"))
    monkeypatch.undo()
    result = _run(rc.db_path, "propose")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "stored codebook" in lines[0] and "codebook load" in lines[0]
