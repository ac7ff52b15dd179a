"""realistcoder's REFI-QDA files read and written back by QualCoder's own code (its
``qualcoder/refi.py``, run headless by ``qualcoder_harness.py``).

Slow, and skipped unless QualCoder is at hand: set ``REALISTCODER_QUALCODER`` to a checkout
of https://github.com/ccbogel/QualCoder (its root or its ``src`` folder) and, when the Python
running the tests lacks PyQt6, ``REALISTCODER_QUALCODER_PYTHON`` to one that has PyQt6,
pymupdf and Pillow (docs/exports.md says how).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_export import build_review_store, run
from test_refi import build_store_without_codings

from realistcoder.codebook import load_codebook
from realistcoder.export.safe import xml_text
from realistcoder.store import open_store, review

pytestmark = pytest.mark.slow
HARNESS = Path(__file__).with_name("qualcoder_harness.py")
CODEBOOK = Path(__file__).resolve().parents[1] / "codebooks" / "mcp-realist.yaml"


def qualcoder() -> tuple[str, Path]:
    """(python, QualCoder's src folder), or skip."""
    where = os.environ.get("REALISTCODER_QUALCODER")
    if not where:
        pytest.skip("set REALISTCODER_QUALCODER to a QualCoder checkout to run QualCoder's "
                    "REFI-QDA code on the exports")
    src = Path(where) / "src" if (Path(where) / "src" / "qualcoder").is_dir() else Path(where)
    if not (src / "qualcoder" / "refi.py").is_file():
        pytest.skip(f"no qualcoder/refi.py under {where}")
    python = os.environ.get("REALISTCODER_QUALCODER_PYTHON", sys.executable)
    probe = subprocess.run([python, "-c", "import PyQt6.QtWidgets, pymupdf, PIL"],
                           capture_output=True)
    if probe.returncode:
        pytest.skip(f"{python} cannot import PyQt6, pymupdf and Pillow (QualCoder needs them): "
                    "set REALISTCODER_QUALCODER_PYTHON")
    return python, src


def harness(work: Path, *args: str | Path) -> dict:
    python, src = qualcoder()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([python, str(HARNESS), str(src), str(work), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    qualcoder()
    folder = tmp_path_factory.mktemp("qualcoder")
    db = build_review_store(folder / "store")
    run(db, "export", "qdpx", "--unblind", "-o", folder / "review.qdpx")
    return db, folder / "review.qdpx"


def keys(db: Path) -> list[tuple]:
    with open_store(db) as store:
        rows = review.current_codings(store, unblinded=True)
    return sorted((r["document"], r["text"], r["code"] or r["role"], r["reviewer"],
                   r["note"] or "") for r in rows)


def test_qualcoder_loads_every_coding_at_its_place_with_theories_as_categories(exported,
                                                                                tmp_path):
    db, qdpx = exported
    seen = harness(tmp_path / "qc", "import-qdpx", qdpx)
    texts = {xml_text(k[1]) for k in keys(db)}
    assert len(seen["codings"]) == len(keys(db))
    for coding in seen["codings"]:
        assert coding["code"] is not None
        assert coding["seltext"] == coding["fulltext_slice"]  # the offsets point at it
        assert xml_text(coding["seltext"]) in texts
    parents = {c["name"]: c["parent"] for c in seen["categories"]}
    assert parents["Context (workforce)"] == "T1 workforce: new and expanded professional roles"
    placed = {c["name"]: c["category"] for c in seen["codes"]}
    assert placed["Trust between professionals"] == "Context (workforce)"
    pdf_attributes = {(a["source"], a["name"]) for a in seen["attributes"]}
    assert ("hub-roles-evaluation.pdf", "Citation") in pdf_attributes
    assert any(c["memo"] == "clear example" for c in seen["codings"])  # notes as memos


@pytest.mark.parametrize("mode", ["standard", "maxqda"])
def test_qualcoder_export_comes_back_identical(exported, tmp_path, mode):
    """QualCoder's project export (new GUIDs, a BOM, and in "MAXQDA" mode CRLF text with
    offsets that count a line break as one character) imports back to the same codings."""
    db, qdpx = exported
    back = tmp_path / "back.qdpx"
    harness(tmp_path / "qc", "import-qdpx", qdpx, "--export", back,
            *(["--maxqda"] if mode == "maxqda" else []))
    other = build_store_without_codings(tmp_path)
    result = run(other, "import", "qdpx", back)
    assert ("CRLF" in result.output) == (mode == "maxqda")
    assert keys(other) == keys(db)


def test_codebook_through_qualcoder_loads_back(tmp_path):
    qdc = tmp_path / "mcp.qdc"
    run(tmp_path / "x.db", "codebook", "export", CODEBOOK, "-o", qdc)
    back = tmp_path / "back.qdc"
    seen = harness(tmp_path / "qc", "import-qdc", qdc, "--export", back)
    assert {c["name"] for c in seen["categories"]} >= {"Context (workforce)",
                                                       "Outcome (people_communities)"}
    original, again = load_codebook(CODEBOOK), load_codebook(back)
    assert again.codes == original.codes
    assert [t.id for t in again.theories] == [t.id for t in original.theories]
