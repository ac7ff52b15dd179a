"""The interactive review queue, without any terminal: what to show next and what each key does.

:class:`ReviewSession` walks a reviewer's proposals (filtered) in reading order. Every decision
is written to the store the moment it is made, so quitting, Ctrl-C or a crash lose nothing, and a
new session starts at the first proposal still pending. The terminal front end
(``realistcoder.cli.review_tui``) only renders :class:`Card` objects and maps keys to methods.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from realistcoder.errors import InputError
from realistcoder.review.retrain import BackgroundLearner, Retrained
from realistcoder.store import review as rv
from realistcoder.store.db import Store

STATUS_CHOICES = ("pending", "accepted", "rejected", "recoded", "decided", "all")


@dataclass
class Filters:
    code: str | None = None
    role: str | None = None
    theory: str | None = None
    document_id: int | None = None
    min_score: float | None = None
    status: str = "pending"

    def statuses(self) -> tuple[str, ...]:
        if self.status not in STATUS_CHOICES:
            raise InputError(f"unknown status '{self.status}'", subject="--status",
                             fix=f"use one of {', '.join(STATUS_CHOICES)}")
        if self.status == "all":
            return rv.STATUSES
        if self.status == "decided":
            return ("accepted", "rejected", "recoded")
        return (self.status,)


@dataclass
class Card:
    """Everything the screen shows for one proposal."""

    proposal: dict
    fragment: list[dict]              # the sentences of the fragment, in order
    highlights: list[tuple[int, int]]  # spans within the proposed sentence
    before: dict | None
    after: dict | None
    code: dict                        # label, role, mechanism_type, theory, description
    status: str                       # the reviewer's current status for this proposal
    note: str | None                  # the note to attach to the next decision
    position: int                     # 1-based place in the queue
    total: int
    done: int                         # decided proposals of this queue
    overall_done: int = 0             # the reviewer's decided proposals, all sessions
    overall_total: int = 0            # every current proposal

    @property
    def remaining(self) -> int:
        return self.total - self.done


def matched_spans(matched: str | list | None, text: str) -> list[tuple[int, int]]:
    """Character spans of the matched words within the sentence, from ``proposals.matched``
    (a JSON list of ``{"start", "end"}`` objects or ``[start, end]`` pairs); spans that do not
    fit the sentence are dropped, overlapping ones merged."""
    try:
        items = json.loads(matched) if isinstance(matched, str) else (matched or [])
    except ValueError:
        return []
    spans = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            start, end = item.get("start"), item.get("end")
        elif isinstance(item, list | tuple) and len(item) >= 2:
            start, end = item[0], item[1]
        else:
            continue
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass
class ReviewSession:
    """A reviewer's pass over a queue of proposals."""

    store: Store
    reviewer: str
    filters: Filters = field(default_factory=Filters)
    origin: str = "terminal"
    learner: BackgroundLearner | None = None  # retrains the reviewer's model as they go

    def __post_init__(self) -> None:
        self.reviewer = rv.check_reviewer(self.reviewer)
        self.items = self._queue()
        self.index = 0
        self.note: str | None = None
        self.span: tuple[int, int] | None = None  # fragment (first, last sentence id)
        self.made: list[dict] = []  # decisions of this session, for the summary
        self.undone: set[str] = set()  # uuids of decisions undone in this session

    def _queue(self) -> list[int]:
        return [r["id"] for r in rv.review_queue(
            self.store, self.reviewer, code=self.filters.code, role=self.filters.role,
            theory=self.filters.theory, document_id=self.filters.document_id,
            min_score=self.filters.min_score, statuses=self.filters.statuses())]

    def _made(self, d: dict) -> dict:
        self.made.append(d)
        if self.learner is not None and not d.get("duplicate"):
            self.learner.decided()
        return d

    def retrained(self) -> Retrained | None:
        """A background retraining that finished since the last call: the rest of the queue
        is refreshed (new learned proposals join it, withdrawn ones leave it)."""
        if self.learner is None:
            return None
        result = self.learner.poll()
        if result is not None and result.model_id is not None:
            head = self.items[: self.index + 1] if not self.finished else list(self.items)
            seen = set(head)
            self.items = head + [i for i in self._queue() if i not in seen]
        return result

    # ----------------------------------------------------------------- state

    @property
    def finished(self) -> bool:
        return self.index >= len(self.items)

    def kept(self) -> list[dict]:
        """This session's decisions that still stand (not undone)."""
        return [d for d in self.made if d["uuid"] not in self.undone and not d["duplicate"]]

    def progress(self) -> tuple[int, int]:
        """(decided, total) over this session's queue."""
        decided = rv.decided_statuses(self.store, self.reviewer)
        return sum(pid in decided for pid in self.items), len(self.items)

    def overall(self) -> tuple[int, int]:
        """(decided, total) over every current proposal, in this and earlier sessions."""
        return rv.overall_progress(self.store, self.reviewer)

    def current(self) -> Card | None:
        if self.finished:
            return None
        p = rv.get_proposal(self.store, self.items[self.index])
        first, last = self.span or (p["sentence_id"], p["sentence_id"])
        fragment = rv.sentence_range(self.store, first, last)
        done, total = self.progress()
        overall_done, overall_total = self.overall()
        return Card(
            proposal=p, fragment=fragment,
            highlights=matched_spans(p["matched"], p["text"]),
            before=rv.neighbour_sentence(self.store, first, -1),
            after=rv.neighbour_sentence(self.store, last, +1),
            code={k: p[k] for k in ("code", "label", "role", "mechanism_type", "theory",
                                    "description")},
            status=rv.decided_statuses(self.store, self.reviewer).get(p["id"], "pending"),
            note=self.note, position=self.index + 1, total=total, done=done,
            overall_done=overall_done, overall_total=overall_total)

    def _advance(self) -> None:
        self.index += 1
        self.note = None
        self.span = None

    def _span_kwargs(self) -> dict:
        if self.span is None:
            return {}
        return {"sentence_id": self.span[0], "end_sentence_id": self.span[1]}

    def _require_current(self) -> int:
        if self.finished:
            raise InputError("no proposal left in this queue", subject="review",
                             fix="press q to quit, or u to undo the last decision")
        return self.items[self.index]

    # ----------------------------------------------------------------- actions

    def accept(self) -> dict:
        pid = self._require_current()
        d = rv.accept(self.store, pid, self.reviewer, note=self.note, origin=self.origin,
                      **self._span_kwargs())
        self._made(d)
        self._advance()
        return d

    def reject(self) -> dict:
        pid = self._require_current()
        d = rv.reject(self.store, pid, self.reviewer, note=self.note, origin=self.origin)
        self._made(d)
        self._advance()
        return d

    def recode(self, code: str) -> dict:
        """Accept the fragment under ``code`` (a code id; see :meth:`search_codes`)."""
        pid = self._require_current()
        d = rv.accept(self.store, pid, self.reviewer, code=code, note=self.note,
                      origin=self.origin, **self._span_kwargs())
        self._made(d)
        self._advance()
        return d

    def no_role(self) -> list[dict]:
        """The sentence carries no role: reject its pending proposals and mark it, so that the
        reviewer's model learns from it too."""
        pid = self._require_current()
        p = rv.get_proposal(self.store, pid)
        made = [self._made(d) for d in rv.mark_no_role(
            self.store, p["sentence_id"], self.reviewer, note=self.note, origin=self.origin,
            refuse_if_coded=False)]
        self._advance()
        while not self.finished and self.items[self.index] in {d["proposal_id"] for d in made}:
            self._advance()
        return made

    def search_codes(self, query: str, limit: int = 8) -> list[dict]:
        return rv.search_codes(self.store, query, limit)

    def extend(self, step: int) -> bool:
        """Grow the fragment by one sentence before (-1) or after (+1); False at the edge."""
        pid = self._require_current()
        p = rv.get_proposal(self.store, pid)
        first, last = self.span or (p["sentence_id"], p["sentence_id"])
        edge = first if step < 0 else last
        nxt = rv.neighbour_sentence(self.store, edge, step)
        if nxt is None:
            return False
        self.span = (nxt["id"], last) if step < 0 else (first, nxt["id"])
        return True

    def set_note(self, text: str) -> None:
        self.note = text.strip() or None

    def skip(self) -> None:
        """Leave this proposal pending and move on (it comes back next session)."""
        self._require_current()
        self._advance()

    def undo(self) -> dict | None:
        """Undo the reviewer's latest decision (in this session or an earlier one) and show
        that proposal again. None when there is nothing to undo."""
        result = rv.undo(self.store, self.reviewer, origin=self.origin)
        if result is None:
            return None
        self.undone.add(result["undone"]["uuid"])
        pid = result["undone"]["proposal_id"]
        if pid in self.items:
            self.index = self.items.index(pid)
        elif pid is not None:  # decided in an earlier session: bring it back here
            self.items.insert(min(self.index, len(self.items)), pid)
        self.note = None
        self.span = None
        return result
