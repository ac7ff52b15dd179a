"""How long `propose --learn` takes on 50,000 labelled sentences (target: training under 30 s).

A store of 50,000 sentences (the benchmark sentences of bench_propose.py: codebook-term
templates, filler, and the sample corpus's text) gets one reviewer's role labels for all of them
(a keyword rule stands in for the reviewer: only the timing matters here), imported in one
transaction. Then the reviewer's model is trained (reading the decisions, building the features,
fitting one model per role with cross-validation over the documents) and applied to the store.
Times are CPU seconds of this process; the baseline, in the same run, is spaCy tokenising the
same sentences once, the least any learner over them must do.

Usage: python bench/bench_learn.py [--sentences 50000] [--documents 50]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_propose import generate  # noqa: E402

from realistcoder.codebook import load_codebook, shipped_codebooks  # noqa: E402
from realistcoder.propose.learn import apply, train, training_set  # noqa: E402
from realistcoder.propose.nlp import load_nlp  # noqa: E402
from realistcoder.propose.roles.detector import RoleDetector  # noqa: E402
from realistcoder.store import open_store  # noqa: E402
from realistcoder.store import review as rv  # noqa: E402
from realistcoder.store.db import utcnow  # noqa: E402
from realistcoder.store.learning import record_model  # noqa: E402

KEYWORDS = {"context": ("where", "lack", "training", "time"), "mechanism": ("felt", "trust"),
            "outcome": ("fell", "led to", "reduc", "%")}


def build(path: Path, sentences: list[str], documents: int):
    store = open_store(path)
    per = len(sentences) // documents
    with store.transaction() as db:
        for d in range(documents):
            part = sentences[d * per:(d + 1) * per]
            doc_id = db["documents"].insert({
                "path": f"bench-{d}", "file_name": f"bench-{d}.pdf", "sha256": f"{d:064d}",
                "kind": "pdf", "status": "ok", "ingested_at": utcnow()}).last_pk
            db["sentences"].insert_all(
                ({"document_id": doc_id, "page_no": 1 + i // 40, "seq": i, "start": 0,
                  "end": len(s), "text": s, "section": "body"} for i, s in enumerate(part)),
                batch_size=5000)
    rows = store.query("SELECT id, text FROM sentences")
    with store.transaction():
        for r in rows:
            lower = r["text"].lower()
            roles = [k for k, words in KEYWORDS.items() if any(w in lower for w in words)]
            for role in roles or ["none"]:
                rv.code_by_hand(store, r["id"], None, "bench", role=role, origin="import")
    return store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=50_000)
    ap.add_argument("--documents", type=int, default=50)
    args = ap.parse_args()
    codebooks = [load_codebook(p) for p in shipped_codebooks()]
    sentences = generate(args.sentences, codebooks)
    nlp = load_nlp()
    detector = RoleDetector(nlp)
    start = time.process_time()
    for _ in nlp.pipe(sentences, batch_size=1000):
        pass
    baseline = time.process_time() - start
    with tempfile.TemporaryDirectory() as tmp:
        store = build(Path(tmp) / "learn.db", sentences, args.documents)
        start = time.process_time()
        data = training_set(store, "bench")
        read = time.process_time() - start
        start = time.process_time()
        model, metrics = train(detector, data)
        fitted = time.process_time() - start
        with store.transaction():
            model_id = record_model(store, {
                "uuid": "bench", "reviewer": "bench", "method": "learned", "version": "bench",
                "n_decisions": 0, "n_sentences": len(data.sentence_ids), "examples": {},
                "settings": {}, "parameters": {}})
        start = time.process_time()
        apply(store, "bench", model, model_id, detector=detector)
        applied = time.process_time() - start
        store.close()
    n = len(data.sentence_ids)
    print(f"labelled sentences: {n:,} in {args.documents} documents "
          f"({', '.join(f'{r} {v}' for r, v in data.examples().items())})")
    print(f"training: {read + fitted:.1f} s CPU (reading decisions {read:.1f} s, features and "
          f"fitting with {metrics.get('context', {}).get('folds', 0)}-fold cross-validation "
          f"{fitted:.1f} s); target: under 30 s")
    print(f"applying to the store: {applied:.1f} s CPU")
    print(f"baseline: tokenising the same sentences once takes {baseline:.1f} s CPU; training "
          f"is {(read + fitted) / baseline:.1f}x that")
    kept = ", ".join(f"{role} {m.get('choice', '-')}" for role, m in metrics.items())
    print(f"kept per role: {kept}")


if __name__ == "__main__":
    main()
