"""Throughput of `propose`: 100,000 sentences against the shipped codebooks and the role detector.

Prints sentences per second for the matcher alone and for a full store run (batches,
transactions, inserts), with and without the role detector (target: >= 5,000 sentences/s on one
core with it), and the speed-up over a naive matcher measured in the same process:
each sentence against each term with a rapidfuzz call (``fuzz.partial_ratio``), timed on a
subsample and extrapolated. Target: 20x or better. Times are CPU seconds of this process
(``time.process_time``), so that other programs sharing the machine do not skew the ratio;
the store run also prints wall-clock time (it waits on disk). Two more store runs: the
development set's real documents as `ingest` stores them (the synthetic mix below is denser in
codebook terms and cues than real text), and the mix with the garbage collector left as CPython
sets it (``propose`` tunes it for batch work: realistcoder.collection).

Sentences: a quarter from the sample corpus's own text (corpus/src/*.yaml), a quarter extracted
from the third-party papers in ../shared/pdfs/health when present (read at run time, never
stored; never the four documents reserved for independent evaluation), half template sentences
built from codebook terms (with misspellings, glued and split words, negations and hedges) or
filler that should match nothing. The matcher and the naive loops are timed in alternating
rounds so that both see the same machine load.

Usage: python bench/bench_propose.py [--sentences 100000] [--naive-sample 300] [--no-store]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from realistcoder import collection
from realistcoder.codebook import default_codebook_path, load_codebook, shipped_codebooks
from realistcoder.propose.matcher import compiled
from realistcoder.propose.nlp import load_nlp, pipeline_description
from realistcoder.propose.run import DEFAULT_MIN_SCORE, propose
from realistcoder.store import open_store
from realistcoder.store.codebooks import save_codebook
from realistcoder.store.db import utcnow

ROOT = Path(__file__).resolve().parents[1]

TEMPLATES = [
    "Where there was {c}, staff reported {m}.",
    "The programme led to {o} in the second year.",
    "In sites with {c}, {m} developed more quickly.",
    "Because of {m}, the practices saw {o}.",
    "There was no {o} over the evaluation period.",
    "It is unclear whether {c} may have contributed to {o}.",
    "Interviewees described {m} as the key to {o}.",
    "A lack of {c} was a barrier to {m}.",
    "{C} enabled {m}, which resulted in {o}.",
    "The board met monthly to review the budget and the estates plan.",
    "Table 3 shows the number of appointments by month and by practice.",
    "Participants were recruited from four practices between March and June.",
    "The survey had a response rate of 64% among clinical staff.",
]
FILLER = ["the practices", "local services", "the hub", "the team", "patients and carers"]


def _split(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if 25 < len(s) < 400]


def corpus_sentences() -> list[str]:
    """Sentences of the sample corpus sources (our own text)."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            if len(node) > 40:
                out.extend(_split(node))
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((ROOT / "corpus" / "src").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def shared_pdf_sentences(limit_files: int = 17, pages: int = 10,
                         folders: tuple[str, ...] = ("health",)) -> list[str]:
    """Text extracted from ../shared/pdfs/<folders> (third-party papers, read here, never stored
    in the project; never the documents reserved for independent evaluation); empty when
    ../shared is absent."""
    shared = ROOT.parent / "shared" / "pdfs"
    out: list[str] = []
    if not shared.is_dir():
        return out
    import pypdfium2 as pdfium

    sys.path.insert(0, str(ROOT / "bench" / "devset"))
    from devset import RESERVED

    paths = [p for folder in folders for p in sorted((shared / folder).glob("*.pdf"))
             if not p.name.startswith(RESERVED)]
    for path in paths[:limit_files]:
        pdf = pdfium.PdfDocument(str(path))
        for i in range(min(len(pdf), pages)):
            out.extend(_split(pdf[i].get_textpage().get_text_range()))
        pdf.close()
    return out


def damage(term: str, rng: random.Random) -> str:
    """A PDF-style artefact in a term: a dropped letter, a split word or a glued pair."""
    words = term.split()
    i = rng.randrange(len(words))
    word = words[i]
    kind = rng.random()
    if len(word) > 6 and kind < 0.4:
        j = rng.randrange(1, len(word) - 1)
        words[i] = word[:j] + word[j + 1 :]
    elif len(word) > 7 and kind < 0.7:
        j = len(word) // 2
        words[i] = word[:j] + " " + word[j:]
    elif len(words) > 1 and i + 1 < len(words):
        words[i : i + 2] = [words[i] + words[i + 1]]
    return " ".join(words)


def generate(n: int, codebooks, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    by_role: dict[str, list[str]] = {"context": [], "mechanism": [], "outcome": []}
    for cb in codebooks:
        for code in cb.codes:
            if code.role in by_role:
                by_role[code.role].extend(code.terms)
    for role, terms in by_role.items():
        if not terms:
            by_role[role] = FILLER
    own, shared = corpus_sentences(), shared_pdf_sentences()

    def pick(role: str) -> str:
        term = rng.choice(by_role[role])
        return damage(term, rng) if rng.random() < 0.1 else term

    out = []
    for k in range(n):
        source = k % 4  # 1/4 our corpus, 1/4 third-party papers, 1/2 templates
        real = own if source == 0 else shared if source == 1 else None
        if real:
            s = rng.choice(real)
            out.append(s if rng.random() < 0.7 else s.replace("the ", "these ", 1))
            continue
        tpl = rng.choice(TEMPLATES)
        c = pick("context")
        out.append(tpl.format(c=c, C=c[:1].upper() + c[1:], m=pick("mechanism"), o=pick("outcome")))
    return out


def development_sentences() -> list[str]:
    """The sentences of the development set's documents as `ingest` stores them (real papers
    and reports, never the documents reserved for independent evaluation); empty when
    ../shared is absent."""
    sys.path.insert(0, str(ROOT / "bench" / "devset"))
    from devset import labelled_store

    with tempfile.TemporaryDirectory() as tmp:
        try:
            store, _, _ = labelled_store(Path(tmp) / "dev.db")
        except SystemExit:
            return []
        texts = [r["text"] for r in store.query("SELECT text FROM sentences ORDER BY id")]
        store.close()
    return texts


def naive_loop(sentences: list[str], terms: list[str], cutoff: bool) -> float:
    """CPU seconds for: each sentence, each term, one rapidfuzz call (``partial_ratio`` >= 90,
    with or without rapidfuzz's ``score_cutoff`` early exit)."""
    start = time.process_time()
    found = 0
    for sentence in sentences:
        text = sentence.lower()
        for term in terms:
            if cutoff:
                found += fuzz.partial_ratio(term, text, score_cutoff=90) > 0
            else:
                found += fuzz.partial_ratio(term, text) >= 90
    return time.process_time() - start


def ours(sentences: list[str], codebooks) -> tuple[float, int]:
    """CPU seconds and proposals (score >= default) for the matcher on ``sentences``."""
    nlp = load_nlp()
    matcher = compiled(codebooks)  # all codebooks in one pass, as `propose` does
    n = 0
    start = time.process_time()
    for doc in nlp.pipe(sentences, batch_size=1000):
        n += len(matcher.match(doc, min_score=DEFAULT_MIN_SCORE))
    return time.process_time() - start, n


def interleaved(sentences: list[str], sample: list[str], codebooks, terms, rounds: int = 20):
    """Time the matcher on all sentences and the naive loops on the sample in alternating
    rounds, so that both see the same machine load."""
    lowered = [t.lower() for t in terms]
    ours_s = naive_s = plain_s = 0.0
    n = 0
    for r in range(rounds):
        chunk = sentences[r * len(sentences) // rounds : (r + 1) * len(sentences) // rounds]
        piece = sample[r * len(sample) // rounds : (r + 1) * len(sample) // rounds]
        elapsed, found = ours(chunk, codebooks)
        ours_s, n = ours_s + elapsed, n + found
        naive_s += naive_loop(piece, lowered, cutoff=True)
        plain_s += naive_loop(piece, lowered, cutoff=False)
    return ours_s, n, naive_s / len(sample), plain_s / len(sample)


def store_run(sentences: list[str], codebooks, roles: bool = True,
              tuned: bool = True) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and proposals of one `propose` run on a fresh store;
    ``tuned=False`` leaves the garbage collector as CPython sets it."""
    collection.TUNED = tuned
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        with store.transaction() as db:
            doc_id = db["documents"].insert({
                "path": "bench", "file_name": "bench.pdf", "sha256": "0" * 64, "kind": "pdf",
                "status": "ok", "ingested_at": utcnow(),
            }).last_pk
            db["sentences"].insert_all(
                ({"document_id": doc_id, "page_no": 1 + i // 40, "seq": i, "start": 0,
                  "end": len(s), "text": s, "section": "body"} for i, s in enumerate(sentences)),
                batch_size=5000,
            )
        targets = [(save_codebook(store, cb), cb) for cb in codebooks]
        start, wall = time.process_time(), time.perf_counter()
        summary = propose(store, targets, roles=roles)
        elapsed, wall = time.process_time() - start, time.perf_counter() - wall
        store.close()
    collection.TUNED = True
    return elapsed, wall, summary.new + sum(summary.role_proposals.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=300)
    parser.add_argument("--no-store", action="store_true", help="skip the full store run")
    args = parser.parse_args(argv)

    paths = shipped_codebooks()
    codebooks = [load_codebook(p) for p in paths]
    terms = [t for cb in codebooks for c in cb.codes for t in c.terms]
    t0 = time.process_time()
    compiled(codebooks)
    build = time.process_time() - t0
    sentences = generate(args.sentences, codebooks)
    print(f"pipeline:   {pipeline_description(load_nlp())}")
    print(f"codebooks:  {', '.join(p.name for p in paths)} ({len(terms)} terms, "
          f"{sum(len(cb.codes) for cb in codebooks)} codes); compiled in {build:.2f} s")
    print(f"sentences:  {len(sentences):,} (mean {sum(map(len, sentences)) / len(sentences):.0f}"
          " characters)")

    ours(sentences[:2000], codebooks)  # warm the caches once
    sample = random.Random(1).sample(sentences, min(args.naive_sample, len(sentences)))
    elapsed, n, naive, plain = interleaved(sentences, sample, codebooks, terms)
    per = elapsed / len(sentences)
    print(f"matcher:    {elapsed:.1f} s CPU, {len(sentences) / elapsed:,.0f} sentences/s, "
          f"{n:,} proposals at score >= {DEFAULT_MIN_SCORE} "
          f"({n / len(sentences):.2f} per sentence)")
    print(f"naive loop: {1 / naive:,.0f} sentences/s with score_cutoff, {1 / plain:,.0f} without, "
          f"on a {len(sample)}-sentence subsample (each sentence x {len(terms)} terms, "
          f"fuzz.partial_ratio >= 90); 100,000 sentences would take {naive * 100_000 / 60:,.1f} / "
          f"{plain * 100_000 / 60:,.1f} min")
    print(f"speed-up:   {naive / per:,.0f}x vs the naive loop with score_cutoff, "
          f"{plain / per:,.0f}x without (target >= 20x)")

    if not args.no_store:
        default = [load_codebook(default_codebook_path())]
        n = len(sentences)
        print("store runs (read, detect roles, match codes, write proposals; CPU time of one "
              "core; target with the role detector: >= 5,000 sentences/s):")
        for label, books in (("the default codebook (what `propose` uses)", default),
                             (f"all {len(codebooks)} shipped codebooks at once", codebooks)):
            codes_only, _, _ = store_run(sentences, books, roles=False)
            elapsed, wall, new = store_run(sentences, books)
            print(f"  {label}: {n / elapsed:,.0f} sentences/s with the role detector "
                  f"({elapsed:.1f} s CPU, {wall:.1f} s wall, {new:,} proposals), "
                  f"{n / codes_only:,.0f} without it; {naive * n / elapsed:,.0f}x the naive "
                  "loop with score_cutoff")
        real = development_sentences()
        if real:
            best = min(store_run(real, default)[0] for _ in range(3))
            bare = min(store_run(real, default, roles=False)[0] for _ in range(3))
            print(f"  real documents (the development set's, ingested: {len(real):,} sentences; "
                  f"best of 3 runs): {len(real) / best:,.0f} sentences/s with the role detector, "
                  f"{len(real) / bare:,.0f} without it")
        untuned, _, _ = store_run(sentences, default, tuned=False)
        print(f"  the default codebook with the garbage collector as CPython sets it (not "
              f"realistcoder.collection's): {n / untuned:,.0f} sentences/s with the role "
              "detector")
    return 0


if __name__ == "__main__":
    sys.exit(main())
