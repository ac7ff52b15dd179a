"""Write a labelling worksheet for one document: its body sentences, with their text.

The worksheet holds third-party text, so it is written *outside* the project (default
``/tmp/realistcoder-labels/<ID>.tsv``). Fill the ``roles`` column (``c``, ``m``, ``o`` in any
combination, ``-`` for none, blank for not labelled) following ../shared/CODING-GUIDE.md, then
run ``freeze.py`` on it. Rows already labelled in ``labels/<ID>.tsv`` come pre-filled.

Usage: python bench/devset/worksheet.py ../shared/pdfs/dev/D07_....pdf [-o OUT.tsv]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from devset import RESERVED, fingerprint, first_words, match_labels, read_labels  # noqa: E402

from realistcoder.ingest.pipeline import ingest  # noqa: E402
from realistcoder.ingest.sections import PROPOSE_BY_DEFAULT  # noqa: E402
from realistcoder.store import open_store  # noqa: E402

OUT = Path("/tmp/realistcoder-labels")


def sentences_of(pdf: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "ws.db", create=True)
        ingest(store, [str(pdf)])
        rows = store.query(
            "SELECT s.id, s.page_no, s.section, s.text, d.file_name FROM sentences s "
            "JOIN documents d ON d.id = s.document_id WHERE d.status = 'ok' ORDER BY s.seq")
        store.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pdf", type=Path)
    ap.add_argument("-o", "--out", type=Path)
    args = ap.parse_args()
    if args.pdf.name.startswith(RESERVED):
        raise SystemExit(f"{args.pdf.name} is reserved for independent evaluation: not labelled")
    rows = [r for r in sentences_of(args.pdf) if r["section"] in PROPOSE_BY_DEFAULT]
    doc_id = args.pdf.name.split("_", 1)[0]
    done, _ = match_labels([lab for lab in read_labels() if lab.doc_id == doc_id], rows)
    out = args.out or OUT / f"{doc_id}.tsv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["n", "file", "page", "fingerprint", "first", "roles", "text"])
        for n, r in enumerate(rows, 1):
            lab = done.get(r["id"])
            letters = ""
            if lab is not None:
                letters = "".join(x[0] for x in lab.roles) or "-"
            w.writerow([n, r["file_name"], r["page_no"], fingerprint(r["text"]),
                        first_words(r["text"]), letters, " ".join(r["text"].split())])
    print(f"{len(rows)} sentences -> {out}")


if __name__ == "__main__":
    main()
