"""Segmentation benchmark: English Golden Rules score and speed, realistcoder vs pySBD vs spaCy.

Prints, for each splitter, how many of the 48 English Golden Rules it passes and its characters
per second, measured in this run, plus realistcoder's speed as a multiple of pySBD's. The Golden
Rules come from ``../shared/bench/golden_rules_en.json``; without ``../shared`` the script says
so and exits 0. Speed is measured twice: over the Golden Rules texts (one call per short text,
so per-call overhead counts) and over a long scholarly document built from them and from our own
health-services sentences (one call per document), in CPU time, in rounds in which the
splitters take turns; speeds are medians over the rounds, and the speed ratio is the median of
the per-round ratios (the ratio of the best rounds is printed too). Figures only; nothing is
asserted.

Usage: python bench/bench_segment.py [--seconds S]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT.parent / "shared" / "bench" / "golden_rules_en.json"

# our own scholarly paragraph (health-services research style), repeated to make a long document
SCHOLARLY = (
    "Nurse-led discharge was introduced in three NHS trusts in 2019 (Smith et al., 2019). "
    "As shown in Fig. 2, readmissions fell from 14.2% to 9.8% (p < 0.05), i.e. by approx. a "
    "third. Staff cited trust, time and autonomy [12, 14]. Dr. J. R. Patel, a GP in the U.K., "
    "said the change \"gave us room to think.\" She added that continuity mattered.\n\n"
    "Mechanisms\n"
    "Three mechanisms were proposed (see pp. 4-6): (a) reassurance; (b) ownership; and (c) "
    "peer support. Outcomes differed by site, e.g. in rural practices vs. urban ones. "
    "Details are at https://doi.org/10.1000/xyz123. Contact the team at a.b@example.ac.uk. "
    "Ph.D. students coded the data.\n\n"
)


def load_rules() -> list[dict] | None:
    if not RULES.is_file():
        return None
    return json.loads(RULES.read_text(encoding="utf-8"))


def score(split: Callable[[str], list[str]], rules: list[dict]) -> tuple[int, list[int]]:
    failed = [i for i, case in enumerate(rules) if split(case["text"]) != case["sentences"]]
    return len(rules) - len(failed), failed


def speeds(
    splitters: dict[str, Callable[[str], object]], texts: list[str], seconds: float
) -> dict[str, list[float]]:
    """Characters per second of each splitter over ``texts``, one figure per round.

    In each round the splitters take turns (so a change in machine load hits them alike), each
    timed in CPU time of this process over enough passes for a measurable round (>= 20 ms);
    rounds go on until ``seconds`` per splitter have passed (at least 7 rounds)."""
    total = sum(len(t) for t in texts)
    figures: dict[str, list[float]] = {name: [] for name in splitters}
    for split in splitters.values():  # warm up (lazy loading, caches)
        for t in texts[:3]:
            split(t)
    deadline = time.perf_counter() + seconds * len(splitters)
    while len(next(iter(figures.values()))) < 7 or time.perf_counter() < deadline:
        for name, split in splitters.items():
            passes, start = 0, time.process_time()
            while True:
                for t in texts:
                    split(t)
                passes += 1
                elapsed = time.process_time() - start
                if elapsed >= 0.02:
                    break
            figures[name].append(total * passes / elapsed)
    return figures


def ratio(figures: dict[str, list[float]], a: str, b: str) -> tuple[float, float]:
    """``a``'s speed over ``b``'s: the median of the per-round ratios (each round times both
    under the same load), and the ratio of their best rounds."""
    per_round = statistics.median(x / y for x, y in zip(figures[a], figures[b], strict=True))
    return per_round, max(figures[a]) / max(figures[b])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per measurement")
    args = parser.parse_args(argv)
    rules = load_rules()
    if rules is None:
        print(f"skipped: {RULES} is absent (the Golden Rules live in ../shared)")
        return 0

    import pysbd
    import spacy

    from realistcoder.ingest.segment import sentences, split_sentences

    pysbd_seg = pysbd.Segmenter(language="en", clean=False)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")

    splitters: dict[str, tuple[Callable[[str], list[str]], Callable[[str], object]]] = {
        "realistcoder": (sentences, split_sentences),
        "pysbd": (lambda t: [s.strip() for s in pysbd_seg.segment(t) if s.strip()],
                  pysbd_seg.segment),
        "spacy sentencizer": (lambda t: [s.text for s in nlp(t).sents], nlp),
    }
    texts = [case["text"] for case in rules]
    long_doc = [("\n\n".join(texts) + "\n\n" + SCHOLARLY) * 5]
    raw = {name: pair[1] for name, pair in splitters.items()}
    per_text = speeds(raw, texts, args.seconds)
    per_doc = speeds(raw, long_doc, args.seconds)

    print(f"English Golden Rules: {len(rules)} cases; speed in characters per second of CPU "
          f"time (median of {len(per_text['pysbd'])} and {len(per_doc['pysbd'])} rounds)")
    print(f"{'splitter':<18} {'passed':>7} {'golden-rule texts':>18} {'long document':>14}")
    failures: dict[str, list[int]] = {}
    for name, (split, _raw) in splitters.items():
        passed, failures[name] = score(split, rules)
        print(f"{name:<18} {passed:>4}/{len(rules)} {statistics.median(per_text[name]):>18,.0f} "
              f"{statistics.median(per_doc[name]):>14,.0f}")
    for label, figures, size in (
        ("golden-rule texts", per_text, f"{len(texts)} calls"),
        ("long document", per_doc, f"one call, {len(long_doc[0]):,} characters"),
    ):
        median, best = ratio(figures, "realistcoder", "pysbd")
        print(f"realistcoder speed / pySBD speed on the {label} ({size}): {median:.1f}x "
              f"(median of per-round ratios; best round against best round: {best:.1f}x)")
    if failures["realistcoder"]:
        print(f"realistcoder fails rules (0-based): {failures['realistcoder']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
