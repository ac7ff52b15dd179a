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
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels"
SHARED_PDFS = HERE.parents[2] / "shared" / "pdfs"
# the four documents reserved for the independent evaluation of proposals (never labelled,
# tuned or tested on), known by the SHA-256 of their bytes so that a renamed copy is refused too
RESERVED_SHA256 = frozenset({
    "7eaa7d6fb40f38fe2b2996930eff893e83a0572c2965bb42c30f3c3bfe14937c",
    "295b4ee7e729194557dfa37dfaeeb4d4dffc9bf9afd4f32966b089aa9376e3a4",
    "71362d90873dc30b9e664e036a23fd2e9949efe3bda533522aab46cc72e7623d",
    "7f0792daab3d6b8ef3ee80a9595350cb3c3ed1cb8b0cc8cfcd44a88a054291d3",
})


def is_reserved(pdf: Path) -> bool:
    """Whether ``pdf`` is one of the documents reserved for the independent evaluation."""
    try:
        return hashlib.sha256(Path(pdf).read_bytes()).hexdigest() in RESERVED_SHA256
    except OSError:
        return False


@lru_cache(maxsize=1)
def reserved_names(root: Path = SHARED_PDFS) -> tuple[str, ...]:
    """File names of the reserved documents in ../shared/pdfs (empty when it is absent)."""
    return tuple(sorted(p.name for p in root.rglob("*.pdf") if is_reserved(p)))


RESERVED = reserved_names()  # for str.startswith: the names as they are
ROLE_LETTERS = {"c": "context", "m": "mechanism", "o": "outcome"}
# documents that share text (the same programme's evaluation by the same team: about 80 near-
# identical sentences): leave-one-document-out holds them out together, or word features
# would be scored on sentences they were trained on
SAME_SOURCE = {"D04": "D03"}


def source_of(doc_id: str) -> str:
    """The group a document is held out with in leave-one-document-out."""
    return SAME_SOURCE.get(doc_id, doc_id)
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


def pdf_for(doc_id: str, root: Path = SHARED_PDFS) -> Path | None:
    """The PDF in ../shared/pdfs/{dev,health} whose name starts with ``doc_id``."""
    for folder in ("dev", "health"):
        hits = sorted((root / folder).glob(f"{doc_id}_*.pdf"))
        if hits:
            return hits[0]
    return None


def labelled_store(store_path: Path, labels: list[Label] | None = None):
    """Ingest every labelled document into the store at ``store_path``; return
    ``(store, examples, unmatched)`` where ``examples`` are dicts with the sentence (id, text,
    page_no, section, document_id, file_name), ``doc`` (its id prefix) and ``roles`` (a
    frozenset). Raises SystemExit when ../shared/pdfs is absent."""
    from realistcoder.ingest.pipeline import ingest
    from realistcoder.store import open_store

    labels = read_labels() if labels is None else labels
    doc_ids = sorted({lab.doc_id for lab in labels})
    pdfs = [pdf_for(d) for d in doc_ids]
    if not all(pdfs):
        missing = [d for d, p in zip(doc_ids, pdfs, strict=True) if p is None]
        raise SystemExit(f"the development PDFs are not in {SHARED_PDFS}: {missing}")
    store = open_store(store_path, create=True)
    ingest(store, [str(p) for p in pdfs])
    sentences = store.query(
        "SELECT s.id, s.text, s.page_no, s.section, s.document_id, s.seq, d.file_name "
        "FROM sentences s JOIN documents d ON d.id = s.document_id WHERE d.status = 'ok' "
        "ORDER BY s.document_id, s.seq")
    found, missing = match_labels(labels, sentences)
    examples = [{**s, "doc": s["file_name"].split("_", 1)[0], "roles": frozenset(lab.roles)}
                for s in sentences if (lab := found.get(s["id"])) is not None]
    return store, examples, missing
