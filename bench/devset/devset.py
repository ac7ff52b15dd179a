"""The development set: role labels on real documents, kept without their text.

A label names a sentence by ``(file, page, fingerprint, first words)``, never by its text:

* ``fingerprint``: the first 12 hex digits of SHA-1 over the sentence's *normalised* text, which
  keeps only lower-case letters (NFKC first). Digits, punctuation, spaces and hyphens are dropped,
  so the fingerprint survives ingest fixes that rejoin "infor- mation", drop a glued reference
  number ("process.15") or change spacing;
* ``first``: the sentence's first three words, to find it again by hand and to match a sentence
  whose end moved (a split or join changed by a later ingest);
* ``roles``: the roles the labeller read in it: any of ``c`` (context), ``m`` (mechanism),
  ``o`` (outcome), or ``-`` for a sentence read and found to carry none.

Files: ``labels/<ID>.tsv`` (one per document, ``ID`` is the file name's prefix, e.g. ``D02``).
Labels are made with ``worksheet.py`` (sentences with their text, written outside the project)
and frozen with ``freeze.py``. :func:`match_labels` finds them in a store.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels"
SHARED_PDFS = HERE.parents[2] / "shared" / "pdfs"
# reserved for the independent evaluation of proposals: never labelled, tuned or tested on
RESERVED = ("A02_", "A03_", "A10_", "A11_")
ROLE_LETTERS = {"c": "context", "m": "mechanism", "o": "outcome"}
COLUMNS = ("file", "page", "fingerprint", "first", "roles")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[^a-z]+", "", text)


def fingerprint(text: str) -> str:
    return hashlib.sha1(normalise(text).encode()).hexdigest()[:12]


def first_words(text: str, n: int = 3) -> str:
    return " ".join(re.findall(r"[A-Za-z][A-Za-z'\u2019-]*", text)[:n])


def parse_roles(value: str) -> tuple[str, ...] | None:
    """``"cm"`` -> ("context", "mechanism"); ``"-"`` -> (); blank -> None (not labelled)."""
    value = value.strip().lower()
    if not value:
        return None
    if value in ("-", "none", "0"):
        return ()
    bad = set(value) - set(ROLE_LETTERS)
    if bad:
        raise ValueError(f"unknown role letters {''.join(sorted(bad))!r} in {value!r}")
    return tuple(r for k, r in ROLE_LETTERS.items() if k in value)


@dataclass(frozen=True)
class Label:
    file: str
    page: int
    fingerprint: str
    first: str
    roles: tuple[str, ...]

    @property
    def doc_id(self) -> str:
        return self.file.split("_", 1)[0]


def read_labels(folder: Path = LABELS) -> list[Label]:
    labels = []
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                roles = parse_roles(row["roles"])
                if roles is None:
                    continue
                labels.append(Label(row["file"], int(row["page"]), row["fingerprint"],
                                    row["first"], roles))
    if any(label.file.startswith(RESERVED) for label in labels):
        raise SystemExit("a label names a document reserved for independent evaluation")
    return labels


def write_labels(path: Path, labels: list[Label]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, delimiter="\t", lineterminator="\n")
        out.writerow(COLUMNS)
        for lab in labels:
            letters = "".join(k for k, r in ROLE_LETTERS.items() if r in lab.roles) or "-"
            out.writerow([lab.file, lab.page, lab.fingerprint, lab.first, letters])


def match_labels(labels: list[Label], sentences: list[dict]) -> tuple[dict[int, Label], list]:
    """Map store sentences (dicts with id, file_name, page_no, text) to labels.

    Exact fingerprint first (the same page preferred); then a sentence on the same page or the
    next that starts with the label's first words and whose fingerprint no label claims.
    Returns ``({sentence_id: label}, unmatched labels)``."""
    by_fp: dict[tuple[str, str], list[dict]] = {}
    by_file: dict[str, list[dict]] = {}
    for s in sentences:
        s = {**s, "_fp": fingerprint(s["text"])}
        by_fp.setdefault((s["file_name"], s["_fp"]), []).append(s)
        by_file.setdefault(s["file_name"], []).append(s)
    claimed = {(lab.file, lab.fingerprint) for lab in labels}
    found: dict[int, Label] = {}
    missing = []
    for lab in labels:
        cands = by_fp.get((lab.file, lab.fingerprint), [])
        cands = sorted(cands, key=lambda s: abs(s["page_no"] - lab.page))
        hit = next((s for s in cands if s["id"] not in found), None)
        if hit is None:
            start = normalise(lab.first)
            near = [s for s in by_file.get(lab.file, [])
                    if lab.page <= s["page_no"] <= lab.page + 1 and s["id"] not in found
                    and (lab.file, s["_fp"]) not in claimed
                    and normalise(s["text"]).startswith(start)]
            hit = near[0] if len(near) == 1 else None
        if hit is None:
            missing.append(lab)
        else:
            found[hit["id"]] = lab
    return found, missing
