"""Find the role detector's signals in processed sentences, and turn them into features.

:class:`SignalMatcher` runs one spaCy ``PhraseMatcher`` on match keys (and one on the written
form) over a sentence that the proposer has already tokenised, plus a few patterns on its text
(quoted speech, percentages, a condition opening the sentence, "X felt that ..."). The result,
:class:`Signals`, holds each signal's matched spans (for the explanation shown to the reviewer)
and its feature values (for the learned weights). Features are named, so that a weight file
from another version can be checked against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from realistcoder.propose.nlp import doc_text
from realistcoder.propose.roles.lexicon import SIGNALS

# patterns on the sentence text: (feature, rule shown to the reviewer, regex)
PATTERNS: tuple[tuple[str, str, re.Pattern], ...] = (
    ("p_actor_response", "people's response (staff said, patients valued)",
     re.compile(r"\b(?:participants?|interviewees?|respondents?|staff|nurses?|doctors?|GPs?|"
                r"clinicians?|practitioners?|patients?|families|family|carers?|parents?|"
                r"managers?|members?|volunteers?|residents?|people|they|many|some|most|few|"
                r"all)\s+(?:\w+\s+){0,2}(?:said|described|felt|feel|reported|explained|"
                r"expressed|told|valued|value|worried|believed|believe|perceived|welcomed|"
                r"appreciated|liked|disliked|found|wanted|preferred|trusted|feared|"
                r"described|spoke|talked|commented|emphasised|emphasized|stressed|"
                r"highlighted|acknowledged|noted|recognised|recognized)\b", re.I)),
    ("p_quote", "quoted speech",
     re.compile(r"[\u201c\u201d\"]|\u2018[^\u2019]{12,}\u2019|\((?:[A-Z]{1,4}\s?\d{1,3}|"
                r"P\d{1,3}|[Pp]articipant[^)]{0,20}|[Ii]nterviewee[^)]{0,20}|"
                r"[Ss]ite [A-Z0-9][^)]{0,20}|[A-Z][a-z]+,\s?[^)]{0,25})\)\s*\.?\s*$")),
    ("p_condition_start", "opens with a condition (When ..., Where ..., If ...)",
     re.compile(r"^\W*(?:when|where|if|once|unless|whenever|in (?:sites|practices|areas|"
                r"places|settings|teams) (?:with|where)|without|with(?:out)? (?:the|a|an)?|"
                r"given|despite|although|because|since|as)\b", re.I)),
    ("p_from_to", "a change from one figure to another (fell from 12 to 7)",
     re.compile(r"\bfrom\s+[\d.,]+\s*%?\s*\w*\s+to\s+[\d.,]+", re.I)),
    ("p_stats", "test statistics (p, CI, OR)",
     re.compile(r"\b[pP]\s?[<=>\u2264]\s?0?\.\d|\b(?:95\s?%\s?)?CI\b|\b(?:OR|RR|HR|aOR|IRR)\s?"
                r"[=:(]|\b(?:IQR|SD|SE)\b|\bn\s?=\s?\d")),
    ("p_citation", "cites other studies",
     re.compile(r"\(\s*[A-Z][A-Za-z'\u2019-]+(?:\s+et al\.?|\s+(?:and|&)\s+[A-Z][A-Za-z'-]+)?,?"
                r"\s+(?:19|20)\d\d[a-z]?\s*[;),]|\[\d+(?:[,\u2013-]\s?\d+)*\]|"
                r"[a-z)]\.?\d{1,3}(?:[,\u2013-]\d{1,3})*(?:\s|$)")),
    ("p_url", "a web address or DOI", re.compile(r"https?://|www\.|\bdoi\b|\.org\b|\.uk\b",
                                                  re.I)),
    ("p_question", "a question", re.compile(r"\?\s*[\u201d\"]?\s*$")),
)
# a pattern can only match where one of these (lower-cased) strings occurs
NEEDLES = {
    "p_quote": ("\u201c", "\u201d", '"', "\u2018", "("),
    "p_condition_start": ("when", "where", "if", "once", "unless", "in ", "without", "with",
                          "given", "despite", "although", "because", "since", "as"),
    "p_actor_response": ("said", "describ", "felt", "feel", "report", "explain", "express",
                         "told", "valu", "worr", "believ", "perceiv", "welcom", "apprecia",
                         "like", "found", "want", "prefer", "trust", "fear", "spoke", "talk",
                         "comment", "emphas", "stress", "highlight", "acknowledg", "noted",
                         "recogni"),
    "p_from_to": tuple("0123456789"),
    "p_citation": tuple("0123456789"),
    "p_url": ("http", "www.", "doi", ".org", ".uk"),
    "p_question": ("?",),
}
# the same, as written (case matters: "CI", not the "ci" of "social")
NEEDLES_AS_WRITTEN = {
    "p_stats": ("<", "=", ">", "\u2264", "CI", "OR", "RR", "HR", "IQR", "SD", "SE"),
}
ANCHORED = frozenset({"p_condition_start"})  # patterns tried at the start of the text only
_NEEDLE_RE = {name: re.compile("|".join(map(re.escape, needles)))
              for name, needles in NEEDLES.items()}
_NEEDLE_AS_WRITTEN_RE = {name: re.compile("|".join(map(re.escape, needles)))
                         for name, needles in NEEDLES_AS_WRITTEN.items()}
SHAPES = ("len_short", "len_long", "len_very_long", "starts_lower", "no_end_mark", "digits_heavy",
          "upper_heavy")
SHAPE_RULES = {
    "len_short": "a short fragment", "len_long": "a long sentence",
    "len_very_long": "a very long run of text", "starts_lower": "starts mid-sentence",
    "no_end_mark": "no closing punctuation", "digits_heavy": "mostly numbers (a table?)",
    "upper_heavy": "words in capitals (a heading?)",
}
_END = re.compile(r"[.!?:;\u201d\"')\]]\s*$")


def _for_lower_case(pattern: re.Pattern) -> re.Pattern:
    """The same case-insensitive pattern, case-sensitive for lower-cased text: Python's regex
    engine skips ahead on literal prefixes only without ``re.I`` (about twice as fast)."""
    src, out, i = pattern.pattern, [], 0
    while i < len(src):
        step = 2 if src[i] == "\\" else 1  # escapes (\W, \S) keep their case
        out.append(src[i:i + step] if step == 2 else src[i].lower())
        i += step
    return re.compile("".join(out), pattern.flags & ~re.I)


_ON_LOWER = {name: _for_lower_case(p) for name, _, p in PATTERNS if p.flags & re.I}


def feature_names() -> list[str]:
    """The detector's features, in the order of :meth:`Signals.vector`."""
    names = ["bias"]
    for s in SIGNALS:
        names += [s.name, f"{s.name}+"]  # present; present twice or more
    names += [name for name, _, _ in PATTERNS]
    names += list(SHAPES)
    names += [f"{a}&{b}" for a, b in INTERACTIONS]
    return names


# pairs of signals that mean more together than apart (the coding guide's combinations)
INTERACTIONS = (
    ("p_felt_that", "c_resource"),     # "X felt that [condition]": M + C
    ("m_voice", "m_emotion"),          # a reported response
    ("c_enable", "m_trust"),           # a resource that built trust
    ("c_enable", "o_change"),          # a resource that changed something
    ("c_lack", "o_measure"),           # a shortage tied to a result
    ("o_change", "o_measure"),         # a change in an outcome measure
    ("n_methods", "p_percent"),        # a response rate, not a result
    ("n_background", "p_percent"),     # prevalence, not a result
    ("m_emotion", "o_measure"),        # a feeling framed as a result
    ("n_recommend", "p_so_that"),      # a recommendation that states a link
    ("n_methods", "m_perceive"),       # "staff interviewed believed ...": findings, not methods
    ("p_first_person", "m_emotion"),   # a participant's own feeling
)


@dataclass
class Signals:
    """The signals found in one sentence."""

    spans: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)  # token spans
    chars: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)  # char spans
    patterns: dict[str, tuple[int, int]] = field(default_factory=dict)  # character spans
    shapes: set[str] = field(default_factory=set)
    _present: set[str] | None = None

    def vector(self, index: dict[str, int]) -> np.ndarray:
        x = np.zeros(len(index), dtype=np.float32)
        x[0] = 1.0
        for name, found in (*self.spans.items(), *self.chars.items()):
            x[index[name]] = 1.0
            if len(found) > 1:
                x[index[f"{name}+"]] = 1.0
        for name in self.patterns:
            x[index[name]] = 1.0
        for name in self.shapes:
            x[index[name]] = 1.0
        for a, b in INTERACTIONS:
            if self.has(a) and self.has(b):
                x[index[f"{a}&{b}"]] = 1.0
        return x

    def has(self, name: str) -> bool:
        return name in self.spans or name in self.patterns or name in self.chars

    def present(self) -> set[str]:
        """Names of every feature that fired (kept once made)."""
        if self._present is None:
            self._present = self._fired()
        return self._present

    def _fired(self) -> set[str]:
        both = {**self.spans, **self.chars}
        names = set(both) | {f"{n}+" for n, f in both.items() if len(f) > 1}
        names |= set(self.patterns) | self.shapes
        names |= {f"{a}&{b}" for a, b in INTERACTIONS if self.has(a) and self.has(b)}
        return names


class SignalMatcher:
    """Finds the signals in processed sentences (one per pipeline)."""

    def __init__(self, nlp: Language):
        self.by_norm = PhraseMatcher(nlp.vocab, attr="NORM")
        self.by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.names: dict[int, tuple[str, str]] = {}
        for signal in SIGNALS:
            matcher = self.by_lower if signal.written else self.by_norm
            for phrase in signal.phrases:
                label = f"{signal.name}:{phrase}"
                key = nlp.vocab.strings.add(label)
                self.names[key] = (signal.name, phrase)
                matcher.add(label, [nlp.make_doc(phrase) if signal.written else nlp(phrase)])
        self.index = {name: i for i, name in enumerate(feature_names())}

    def __call__(self, doc: Doc) -> Signals:
        found = Signals()
        text = doc_text(doc)
        for match_id, start, end in self.by_norm(doc):
            name, phrase = self.names[match_id]
            found.spans.setdefault(name, []).append((start, end, phrase))
        for match_id, start, end in self.by_lower(doc):
            name, phrase = self.names[match_id]
            found.spans.setdefault(name, []).append((start, end, phrase))
        lower = text.lower()
        for name, _, pattern in PATTERNS:
            needles = _NEEDLE_RE.get(name)
            if needles is not None and needles.search(lower) is None:
                continue  # cheap test first: most sentences hold none of these strings
            needles = _NEEDLE_AS_WRITTEN_RE.get(name)
            if needles is not None and needles.search(text) is None:
                continue
            target = text
            if name in _ON_LOWER and len(lower) == len(text):  # offsets stay the same
                pattern, target = _ON_LOWER[name], lower
            m = pattern.match(target) if name in ANCHORED else pattern.search(target)
            if m is not None:
                found.patterns[name] = (m.start(), m.end())
        found.shapes = shapes(text, len(doc))
        return found


def shapes(text: str, n_tokens: int) -> set[str]:
    """Shape features: length, fragments, tables and headings."""
    out = set()
    if n_tokens <= 6:
        out.add("len_short")
    elif n_tokens > 60:
        out.add("len_very_long")
    elif n_tokens > 35:
        out.add("len_long")
    stripped = text.lstrip("\u2022-\u2013*\u00b7 \t([\u201c\"'")
    if stripped[:1].islower():
        out.add("starts_lower")
    if not _END.search(text):
        out.add("no_end_mark")
    digits = len(_DIGITS.findall(text))
    if digits > 4 and digits > len(_LETTERS.findall(text)) / 3:
        out.add("digits_heavy")
    if _UPPER_RUN.search(text):  # three capitalised words in a row, or more
        out.add("upper_heavy")
    return out


_DIGITS = re.compile(r"\d")
_LETTERS = re.compile(r"[^\W\d_]")
_UPPER_RUN = re.compile(r"\b[^\W\d_a-z]{2,}\b(?:\W+\b[^\W\d_a-z]{2,}\b){2,}")


@cache
def rule_of(name: str) -> str:
    """The reviewer-facing rule for a feature name."""
    base = name.rstrip("+")
    for s in SIGNALS:
        if s.name == base:
            return s.rule
    for pname, rule, _ in PATTERNS:
        if pname == base:
            return rule
    if base in SHAPE_RULES:
        return SHAPE_RULES[base]
    if "&" in base:
        return " with ".join(rule_of(part) for part in base.split("&"))
    return base
