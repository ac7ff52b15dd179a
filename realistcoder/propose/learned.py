"""A reviewer's learned role model: features, scoring, explanations, (de)serialisation.

Features of a sentence: a bias, the role detector's score for each of the three roles (its
logit: the detector's signals enter through it, and learning starts from it) and hashed word
unigrams and bigrams (the reviewer's vocabulary). One L2 logistic regression per role is fitted
on the reviewer's labelled sentences (:mod:`realistcoder.propose.learn`): it recalibrates the
detector to the reviewer (how readily they code each role), combines the three role scores, and
learns the words that mark evidence in their documents. On the development set this beat the
same model with the detector's signals as separate features, which over-fitted (see
bench/bench_quality.py). The parameters are plain numbers (JSON in the store's model ledger),
never pickled objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from spacy.tokens import Doc

from realistcoder.propose.nlp import doc_text
from realistcoder.propose.roles.detector import ROLES, RoleDetector

FORMAT = "learned-roles/1"
N_HASH = 2**18
NGRAMS = (1, 2)
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def word_vectorizer():
    """Hashed word 1-2 grams, binary, L2-normalised (scikit-learn's HashingVectorizer)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=N_HASH, ngram_range=NGRAMS, alternate_sign=False,
                             binary=True, norm="l2", lowercase=True)


def ngram_index(ngram: str) -> int:
    """The hashed column of one n-gram, as HashingVectorizer computes it."""
    from sklearn.utils import murmurhash3_32

    return abs(murmurhash3_32(ngram, seed=0)) % N_HASH


def ngrams(text: str) -> list[str]:
    words = _TOKEN.findall(text.lower())
    out = list(words)
    out += [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return out


N_DENSE = 4  # bias, then the detector's logit for context, mechanism, outcome


def design(detector: RoleDetector, docs: list[Doc]) -> sparse.csr_matrix:
    """The model's input rows: bias | detector logits | hashed words."""
    logits = detector.logits(docs)
    dense = np.column_stack([np.ones(len(docs)), logits])
    words = word_vectorizer().transform([doc_text(d) for d in docs])
    return sparse.hstack([sparse.csr_matrix(dense), words], format="csr", dtype=np.float64)


@dataclass
class LearnedModel:
    """Per role: a weight vector over :func:`design` columns, and a threshold."""

    coef: np.ndarray  # (N_DENSE + N_HASH, 3)
    thresholds: dict[str, float]
    fallback: list[str] = field(default_factory=list)  # roles left to the cold detector

    def probabilities(self, X: sparse.csr_matrix) -> np.ndarray:
        z = X @ self.coef
        return 1.0 / (1.0 + np.exp(-np.asarray(z)))

    # -- explanations -------------------------------------------------------------------------
    def explain(self, detector: RoleDetector, doc: Doc, row: sparse.csr_matrix, role: str,
                limit: int = 4) -> list[dict]:
        """The strongest reasons for ``role`` in this sentence: signals, the detector's score
        and the reviewer's words, as matched spans with a rule."""
        j = ROLES.index(role)
        values = row.toarray().ravel()
        contrib = values * self.coef[:, j]
        text = doc_text(doc)
        reasons: list[tuple[float, list[dict]]] = []
        prior = contrib[1:N_DENSE].sum()
        if prior > 0:  # the detector's own reasons, and its score
            p = 1.0 / (1.0 + np.exp(-values[1 + j]))
            items = [dict(m, kind="learned") for m in detector.explain(doc, role)]
            items.append({"term": "role detector", "kind": "learned",
                          "rule": f"the role detector's score ({p:.2f})"})
            reasons.append((prior, items))
        lowered = text.lower()
        for gram in dict.fromkeys(ngrams(text)):
            column = N_DENSE + ngram_index(gram)
            if self.coef[column, j] > 0 and values[column] > 0:
                at = lowered.find(gram)
                item = {"term": gram, "kind": "learned",
                        "rule": "words you coded this role for"}
                if at >= 0:
                    item.update(start=at, end=at + len(gram), text=text[at:at + len(gram)])
                reasons.append((contrib[column], [item]))
        reasons.sort(key=lambda r: -r[0])
        return [item for _, items in reasons[:limit] for item in items]

    # -- serialisation --------------------------------------------------------------------------
    def to_json(self) -> dict:
        n_dense = N_DENSE
        words = {}
        for j, role in enumerate(ROLES):
            column = self.coef[n_dense:, j]
            idx = np.flatnonzero(np.abs(column) >= 1e-4)
            words[role] = {"index": idx.tolist(), "weight": np.round(column[idx], 5).tolist()}
        return {"format": FORMAT, "features": ["bias", *(f"detector:{r}" for r in ROLES)],
                "n_hash": N_HASH,
                "ngrams": list(NGRAMS),
                "dense": {r: np.round(self.coef[:n_dense, j], 6).tolist()
                          for j, r in enumerate(ROLES)},
                "words": words, "thresholds": self.thresholds, "fallback": self.fallback}

    @classmethod
    def from_json(cls, data: dict) -> LearnedModel:
        if data.get("format") != FORMAT or data.get("n_hash") != N_HASH:
            raise ValueError("a model from another version")
        n_dense = N_DENSE
        coef = np.zeros((n_dense + N_HASH, len(ROLES)))
        for j, role in enumerate(ROLES):
            coef[:n_dense, j] = data["dense"][role]
            coef[n_dense + np.array(data["words"][role]["index"], dtype=int), j] = \
                data["words"][role]["weight"]
        return cls(coef, {r: float(data["thresholds"][r]) for r in ROLES},
                   list(data.get("fallback", [])))
