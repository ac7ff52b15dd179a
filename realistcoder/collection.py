"""Fewer garbage collections during batch work (``propose``, ``propose --learn``).

Batch NLP makes millions of short-lived objects (tokens, matches, proposal rows). CPython runs
its cycle collector every 700 net allocations, and its older passes walk every object alive,
including the hundreds of thousands that spaCy's vocabulary and the compiled codebook hold for
the life of the process. :func:`fewer_collections` moves the objects alive at the start to the
permanent generation (``gc.freeze``) and collects the youngest generation every 50,000
allocations instead of 700, then puts both back. Nothing is left uncollected: the collector
still runs, less often. ``bench/bench_propose.py`` measures the gain against a run with
``TUNED = False``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000
TUNED = True  # False: leave the collector as it is (benchmarks compare)
_active = False


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the collector tuned for batch work (see the module docstring);
    a nested use changes nothing."""
    global _active
    if not TUNED or _active:
        yield
        return
    saved = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0  # a host program's own freeze is left as it is
    _active = True
    if freeze:
        gc.freeze()
    gc.set_threshold(max(saved[0], YOUNG_THRESHOLD), *saved[1:])
    try:
        yield
    finally:
        gc.set_threshold(*saved)
        if freeze:
            gc.unfreeze()
        _active = False
