"""The role detector: which sentences read as context, mechanism or outcome evidence.

For each sentence the detector finds its signals (:mod:`.signals`: cue phrases written from
realist methodology, text patterns, shape), turns them into features and scores each role with
a logistic model: ``P(role) = 1 / (1 + exp(-(w_role . x)))``. The weights are not set by hand:
``bench/train_roles.py`` learns them from the project's hand-labelled development set of real
documents and writes ``weights.json`` beside this module, with its provenance and its measured
leave-one-document-out figures. A role is proposed when its probability reaches the role's
threshold (chosen in the same cross-validation for the best F1).

Each proposal explains itself: the signals that pushed its role up (weight x value > 0), with
the words that matched and the rule they stand for.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc

from realistcoder.errors import RealistCoderError
from realistcoder.propose.nlp import doc_text
from realistcoder.propose.roles.signals import (
    PATTERNS,
    SignalMatcher,
    Signals,
    feature_names,
    rule_of,
)

ROLES = ("context", "mechanism", "outcome")
FORMAT = 1
MAX_REASONS = 3  # the strongest signals shown for a proposal
SPANS_PER_CUE = 2  # matched words shown per signal


@dataclass
class RoleWeights:
    """A logistic model per role over the detector's named features."""

    features: list[str]
    weights: np.ndarray  # (n_features, 3)
    thresholds: dict[str, float]
    meta: dict

    @classmethod
    def from_json(cls, data: dict, source: str = "weights") -> RoleWeights:
        if data.get("format") != FORMAT:
            raise RealistCoderError(f"role weights in format {data.get('format')}, expected "
                                    f"{FORMAT}", subject=source,
                                    fix="retrain them with bench/train_roles.py")
        features = list(data["features"])
        if features != feature_names():
            raise RealistCoderError(
                "role weights were trained on other features than this version computes",
                subject=source, fix="retrain them with bench/train_roles.py")
        w = np.array([data["weights"][r] for r in ROLES], dtype=np.float64).T
        return cls(features, w, {r: float(data["thresholds"][r]) for r in ROLES},
                   {k: v for k, v in data.items() if k not in ("weights", "features")})

    def to_json(self) -> dict:
        return {"format": FORMAT, **self.meta, "features": self.features,
                "weights": {r: [round(float(v), 6) for v in self.weights[:, i]]
                            for i, r in enumerate(ROLES)},
                "thresholds": self.thresholds}


def shipped_weights_path() -> Path:
    return Path(str(resources.files("realistcoder.propose.roles") / "weights.json"))


@lru_cache(maxsize=1)
def shipped_weights() -> RoleWeights:
    path = shipped_weights_path()
    return RoleWeights.from_json(json.loads(path.read_text(encoding="utf-8")), str(path))


@dataclass
class RoleProposal:
    """One role proposed for one sentence."""

    role: str
    score: float
    matched: list[dict]  # the cues behind it: start, end, text, term, kind, rule
    flags: list[str]


class RoleDetector:
    """Scores processed sentences for the three roles (build once per pipeline)."""

    def __init__(self, nlp: Language, weights: RoleWeights | None = None):
        self.nlp = nlp
        self.matcher = _matcher(nlp)
        self.weights = weights or shipped_weights()
        self.index = self.matcher.index
        self.names = list(self.index)  # feature names by column
        self._columns = [self.weights.weights[:, j].tolist() for j in range(len(ROLES))]

    def signals(self, doc: Doc) -> Signals:
        found = doc.user_data.get("rc_signals")
        if found is None:
            found = doc.user_data["rc_signals"] = self.matcher(doc)
        return found

    def features(self, docs: list[Doc]) -> np.ndarray:
        """(n_docs, n_features) feature matrix (each doc's row is kept on it)."""
        if not docs:
            return np.zeros((0, len(self.index)), dtype=np.float32)
        return np.stack([self.vector(d) for d in docs])

    def vector(self, doc: Doc) -> np.ndarray:
        x = doc.user_data.get("rc_x")
        if x is None:
            x = doc.user_data["rc_x"] = self.signals(doc).vector(self.index)
        return x

    def probabilities(self, docs: list[Doc]) -> np.ndarray:
        """(n_docs, 3) probability of each role (context, mechanism, outcome); kept on each doc
        (``user_data``) so that scoring a doc twice costs nothing."""
        if docs and all("rc_role_p" in d.user_data for d in docs):
            return np.stack([d.user_data["rc_role_p"] for d in docs])
        z = self.features(docs) @ self.weights.weights
        p = 1.0 / (1.0 + np.exp(-z))
        for doc, row in zip(docs, p, strict=True):
            doc.user_data["rc_role_p"] = row
        return p

    def logits(self, docs: list[Doc]) -> np.ndarray:
        return self.features(docs) @ self.weights.weights

    def found(self, docs: list[Doc]) -> list[set[str]]:
        """The roles found (probability at or above the role's threshold) per doc; the
        probabilities are kept on each doc, so :meth:`propose` does not score it again."""
        cuts = self.weights.thresholds
        return [{r for i, r in enumerate(ROLES) if p[i] >= cuts[r]}
                for p in self.probabilities(docs)]

    def propose(self, docs: list[Doc], min_score: float | None = None
                ) -> list[list[RoleProposal]]:
        """Role proposals per doc: each role whose probability reaches its threshold (or
        ``min_score`` when given), best first, with the reasons."""
        probs = self.probabilities(docs)
        out = []
        for doc, p in zip(docs, probs, strict=True):
            found = []
            for i, role in enumerate(ROLES):
                cut = self.weights.thresholds[role] if min_score is None else min_score
                if p[i] >= cut:
                    found.append(RoleProposal(role, round(float(p[i]), 3),
                                              self.explain(doc, role), []))
            found.sort(key=lambda r: -r.score)
            out.append(found)
        return out

    def explain(self, doc: Doc, role: str) -> list[dict]:
        """The strongest signals for ``role`` in this sentence, as matched spans."""
        found = self.signals(doc)
        fired = doc.user_data.get("rc_fired")
        if fired is None:  # (feature, value) of those present; the bias explains nothing
            x = self.vector(doc)
            fired = doc.user_data["rc_fired"] = [(int(i), float(x[i]))
                                                 for i in np.flatnonzero(x[1:]) + 1]
        column = self._columns[ROLES.index(role)]  # a few features: plain Python is faster
        ranked = sorted(((i, v * column[i]) for i, v in fired), key=lambda c: -c[1])
        text = doc_text(doc)
        out: list[dict] = []
        for i, contribution in ranked[:MAX_REASONS]:
            if contribution <= 0:
                break
            out += _spans(self.names[i], found, doc, text)
        return out


def _offsets(doc: Doc) -> tuple[list[int], list[int]]:
    """Each token's first and past-the-end character (one array read per doc, kept on it)."""
    cached = doc.user_data.get("rc_offsets")
    if cached is None:
        table = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
        cached = ([a for a, _ in table], [a + n for a, n in table])
        doc.user_data["rc_offsets"] = cached
    return cached


def _spans(name: str, found: Signals, doc: Doc, text: str) -> list[dict]:
    """Matched spans of one feature (character offsets), or one entry without a span."""
    rule = rule_of(name)
    base = name.rstrip("+").split("&")
    items = []
    starts, ends = _offsets(doc)
    for part in base:
        shown = set()  # two phrases with one match key ("know", "knew") are one cue
        for start, end, phrase in found.spans.get(part, []):
            if (start, end) in shown:
                continue
            if len(shown) == SPANS_PER_CUE:
                break
            shown.add((start, end))
            a, b = starts[start], ends[end - 1]
            items.append({"start": a, "end": b, "text": text[a:b], "term": phrase,
                          "kind": "role_cue", "rule": rule})
        for a, b, phrase in found.chars.get(part, [])[:SPANS_PER_CUE]:
            items.append({"start": a, "end": b, "text": text[a:b], "term": phrase,
                          "kind": "role_cue", "rule": rule})
        if part in found.patterns:
            a, b = found.patterns[part]
            items.append({"start": a, "end": b, "text": text[a:b], "term": part,
                          "kind": "role_cue", "rule": rule})
    if not items:
        items.append({"term": name, "kind": "role_cue", "rule": rule})
    return items


_MATCHERS: dict[int, SignalMatcher] = {}


def _matcher(nlp: Language) -> SignalMatcher:
    key = id(nlp)
    if key not in _MATCHERS:
        _MATCHERS[key] = SignalMatcher(nlp)
    return _MATCHERS[key]


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


__all__ = ["ROLES", "PATTERNS", "RoleDetector", "RoleProposal", "RoleWeights",
           "shipped_weights"]
