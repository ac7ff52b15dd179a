"""Sentence quality on real PDFs: exact-match recall against a reader's sentences.

``bench/data/expected_sentences.json`` holds sentences typed by hand for a few pages of
``../shared/pdfs/health/``. For each page the script ingests the file and counts how many
expected sentences appear verbatim among the pipeline's sentences of that page (or of the whole
file, for sentences that start on another page). For comparison it also reports the recall of
pdfplumber's ``extract_text()`` split by the same segmenter (newlines read as spaces).

Usage: python bench/bench_sentence_quality.py [--show-misses]
"""

from __future__ import annotations

import argparse
import json
import logging
import warnings
from pathlib import Path

import pdfplumber

from realistcoder.ingest.pipeline import extract
from realistcoder.ingest.segment import split_sentences

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "pdfs" / "health"


def baseline_sentences(path: Path, page_no: int) -> set[str]:
    with pdfplumber.open(path) as pdf:
        text = " ".join((pdf.pages[page_no - 1].extract_text() or "").split())
    return {text[s:e] for s, e in split_sentences(text)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    data = json.loads((HERE / "data" / "expected_sentences.json").read_text(encoding="utf-8"))
    total = hits = base_hits = 0
    cache: dict[str, object] = {}
    for spec in data["pages"]:
        path = SHARED / spec["file"]
        if not path.exists():
            raise SystemExit(f"missing {path}: the benchmark needs ../shared")
        record = cache.get(spec["file"]) or extract(path)
        cache[spec["file"]] = record
        ours = {s.text for s in record.sentences}
        base = baseline_sentences(path, spec["page"])
        expected = spec["sentences"]
        found = [s for s in expected if s in ours]
        base_found = [s for s in expected if s in base]
        total += len(expected)
        hits += len(found)
        base_hits += len(base_found)
        print(f"{spec['file'][:40]:40} p{spec['page']:<3} {len(found):>3}/{len(expected):<3} "
              f"recall {len(found) / len(expected):6.1%}   pdfplumber+segment "
              f"{len(base_found) / len(expected):6.1%}   ({spec['layout']})")
        if args.show_misses:
            for s in expected:
                if s not in ours:
                    print(f"    missed: {s}")
    print(f"overall exact-match recall: {hits}/{total} = {hits / total:.1%} "
          f"(pdfplumber extract_text + same segmenter: {base_hits / total:.1%})")


if __name__ == "__main__":
    main()
