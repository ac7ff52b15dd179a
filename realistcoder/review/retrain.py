"""Retraining a reviewer's model in the background while they review.

:class:`BackgroundLearner` counts the reviewer's decisions and, every ``every`` decisions,
starts ``propose --learn`` for them in a separate process (so the terminal never waits on it:
training runs on another core, and the review store takes both writers, WAL and a busy timeout).
:meth:`BackgroundLearner.poll` reports a finished run once; the session then refreshes the rest
of its queue, so new learned proposals join it and withdrawn ones leave it.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EVERY = 25


@dataclass
class Retrained:
    """What one background run did (``skipped`` says why it learned nothing)."""

    model_id: int | None = None
    added: int = 0
    withdrawn: int = 0
    skipped: str | None = None


def learn_job(db_path: str, reviewer: str) -> Retrained:
    """Run in the child process: open the store, learn, apply; never raise."""
    from realistcoder.errors import RealistCoderError
    from realistcoder.propose.learn import learn
    from realistcoder.store import open_store

    try:
        with open_store(db_path, create=False) as store:
            s = learn(store, reviewer)
    except RealistCoderError as err:
        return Retrained(skipped=err.message)
    return Retrained(s.model_id, s.added, s.withdrawn)


class BackgroundLearner:
    """Retrains every ``every`` decisions, one run at a time, never blocking the caller."""

    def __init__(self, db_path: Path, reviewer: str, every: int = DEFAULT_EVERY):
        self.db_path, self.reviewer, self.every = Path(db_path), reviewer, every
        self.count = 0
        self.runs = 0
        self._executor: ProcessPoolExecutor | None = None
        self._future: Future | None = None

    @property
    def running(self) -> bool:
        return self._future is not None and not self._future.done()

    def decided(self, n: int = 1) -> bool:
        """Count ``n`` decisions; start a run when one is due. True when one started."""
        self.count += n
        if self.every <= 0 or self.count < self.every or self.running:
            return False
        self.count = 0
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(max_workers=1, mp_context=context)
        self._future = self._executor.submit(learn_job, str(self.db_path), self.reviewer)
        self.runs += 1
        return True

    def poll(self) -> Retrained | None:
        """The result of a run that finished since the last poll, else None."""
        if self._future is None or not self._future.done():
            return None
        future, self._future = self._future, None
        try:
            return future.result()
        except Exception as err:  # a crashed child must not end the review
            return Retrained(skipped=f"retraining failed: {err}")

    def wait(self, timeout: float | None = None) -> None:
        """Block until the current run finishes (its result stays for :meth:`poll`)."""
        if self._future is not None:
            self._future.exception(timeout=timeout)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
