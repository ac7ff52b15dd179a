"""Sentence quality on real PDFs: can a reviewer quote what ingest stores?

Three measures over ``../shared/pdfs`` (never the four documents reserved for independent
evaluation):

1. **Exact-match recall** against a reader's sentences, ``bench/data/expected_sentences.json``
   (kept as hashes of the exact text, with first words and length: no third-party sentences in
   the project). For each page, the share of expected sentences found verbatim among the
   sentences ingest stores for that file; for comparison, pdfplumber's ``extract_text()`` of
   the page split by the same segmenter.
2. **Contents pages**: how many body / list units are left on them (each one is proposed) and
   the longest unit there (a contents page read as prose is one unit of thousands of
   characters).
3. **Every page of the non-reserved PDFs**: body and list sentences over 1,000 characters,
   and hyphenated words of which only the joined form is a word ("infor-mation").

Run it on another version of the code to compare (``PYTHONPATH=../other-checkout``): the data
and this script stay the same. Usage: python bench/bench_sentence_quality.py [--show-misses]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
import unicodedata
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
PDFS = HERE.parents[1] / "shared" / "pdfs"
sys.path.insert(0, str(HERE / "devset"))
from devset import RESERVED  # noqa: E402  (the documents kept for independent evaluation)

CONTENTS_PAGES = [("D01_", 5), ("D04_", 6), ("D04_", 7), ("D04_", 8), ("D05_", 2), ("D06_", 2),
                  ("D07_", 2), ("D08_", 3)]
LONG = 1000
HYPHENATED = re.compile(r"\b([a-z]{2,})-([a-z]{2,})\b")


def fingerprint(text: str) -> str:
    return hashlib.sha1(unicodedata.normalize("NFC", text).encode()).hexdigest()[:16]


def find(name_or_prefix: str) -> Path:
    pattern = name_or_prefix if name_or_prefix.endswith(".pdf") else f"{name_or_prefix}*.pdf"
    found = sorted(PDFS.glob(f"*/{pattern}"))
    if not found:
        raise SystemExit(f"missing {name_or_prefix} under {PDFS}: the benchmark needs ../shared")
    return found[0]


def baseline(path: Path, page_no: int, split) -> set[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        text = " ".join((pdf.pages[page_no - 1].extract_text() or "").split())
    return {fingerprint(text[s:e]) for s, e in split(text)}


def recall(records: dict, split, show_misses: bool) -> tuple[int, int, int]:
    data = json.loads((HERE / "data" / "expected_sentences.json").read_text(encoding="utf-8"))
    total = hits = base_hits = 0
    for spec in data["pages"]:
        if spec["file"].startswith(RESERVED):
            raise SystemExit(f"{spec['file']} is reserved for independent evaluation")
        path = find(spec["file"])
        sentences = records[path.name].sentences
        ours = {fingerprint(s.text) for s in sentences}
        base = baseline(path, spec["page"], split)
        expected = spec["sentences"]
        found = [e for e in expected if e["sha1"] in ours]
        total += len(expected)
        hits += len(found)
        base_hits += sum(e["sha1"] in base for e in expected)
        print(f"  {spec['file'][:38]:38} p{spec['page']:<3} {len(found):>3}/{len(expected):<3} "
              f"{len(found) / len(expected):6.1%}   pdfplumber "
              f"{sum(e['sha1'] in base for e in expected) / len(expected):6.1%}")
        if show_misses:
            for e in expected:
                if e["sha1"] not in ours:
                    near = [s.text for s in sentences if s.page_no == spec["page"]
                            and s.text.startswith(e["first"].split(" ")[0])]
                    print(f"      missed: {e['first']}... ({e['chars']} chars); stored: "
                          f"{near[0][:90] + '...' if near else 'nothing that starts so'}")
    return hits, total, base_hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true",
                        help="for each missed sentence, its first words and what was stored")
    args = parser.parse_args()
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")
    from realistcoder.ingest.pipeline import extract
    from realistcoder.ingest.segment import split_sentences
    from realistcoder.ingest.text import _known

    paths = sorted(p for p in PDFS.glob("*/*.pdf")
                   if p.parent.name in ("health", "dev") and not p.name.startswith(RESERVED))
    records = {p.name: extract(p) for p in paths}
    print(f"1. exact-match recall of a reader's sentences (pages of {PDFS}):")
    hits, total, base_hits = recall(records, split_sentences, args.show_misses)
    print(f"   overall: {hits}/{total} = {hits / total:.1%} (pdfplumber extract_text + the same "
          f"segmenter: {base_hits / total:.1%})")

    print("2. contents pages: body/list units left (each was proposed), longest unit:")
    left = longest = 0
    for prefix, page in CONTENTS_PAGES:
        units = [s for s in records[find(prefix).name].sentences if s.page_no == page]
        body = [s for s in units if s.section in ("body", "list")]
        left += len(body)
        longest = max([longest, *(len(s.text) for s in units)])
        print(f"  {find(prefix).name[:38]:38} p{page:<3} {len(body):>3} body/list units, "
              f"longest {max((len(s.text) for s in units), default=0)} chars")
    print(f"   overall: {left} body/list units left on {len(CONTENTS_PAGES)} contents pages; "
          f"longest unit {longest} characters")

    long_units = broken = 0
    for record in records.values():
        for s in record.sentences:
            if s.section not in ("body", "list"):
                continue
            long_units += len(s.text) > LONG
            broken += sum(_known(a + b) and not (_known(a) and _known(b)) and
                          a not in ("pre", "post", "co", "re", "non", "meta")
                          for a, b in HYPHENATED.findall(s.text.lower()))
    n_pages = sum(len(r.pages) for r in records.values())
    print(f"3. all {n_pages} pages of {len(records)} PDFs: {long_units} body/list sentences over "
          f"{LONG} characters; {broken} hyphenated words whose joined form alone is a word")


if __name__ == "__main__":
    main()
