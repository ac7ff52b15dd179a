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

import numpy as np
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from realistcoder.propose.nlp import doc_text
from realistcoder.propose.roles.lexicon import SIGNALS

# patterns on the sentence text: (feature, rule shown to the reviewer, regex)
PATTERNS: tuple[tuple[str, str, re.Pattern], ...] = (
    ("p_felt_that", "someone's view of a condition (felt that ...)",
     re.compile(r"\b(?:felt|feel|feels|believed|believe|believes|thought|perceived|sensed|"
                r"worried|concerned|agreed|recognised|recognized|realised|realized)\s+"
                r"(?:that|as if|as though|it was|they|there)\b", re.I)),
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
    ("p_first_person", "a participant speaking (I, my, me)",
     re.compile(r"(?:^|[\s\u201c\"'(])(?:I|I'm|I've|I'd|I\u2019m|I\u2019ve|my|me|myself)\b")),
    ("p_so_that", "a purpose or consequence link (so that, in order to)",
     re.compile(r"\b(?:so that|in order to|so as to|which meant|meaning that|this meant|meant that|"
                r"as a result|resulting in|which led to|leading to|which in turn)\b", re.I)),
    ("p_change_in", "a change in something (a reduction in ..., fell from ... to ...)",
     re.compile(r"\b(?:reduction|increase|decrease|improvement|decline|fall|rise|drop|change|"
                r"reduced|increased|decreased|improved|fell|rose|dropped|halved|doubled)\s+"
                r"(?:in|of|by|from|to)\b|\bfrom\s+[\d.,]+\s*%?\s*\w*\s+to\s+[\d.,]+", re.I)),
    ("p_percent", "a percentage", re.compile(r"\d\s?%|\bper ?cent\b", re.I)),
    ("p_stats", "test statistics (p, CI, OR)",
     re.compile(r"\b[pP]\s?[<=>\u2264]\s?0?\.\d|\b(?:95\s?%\s?)?CI\b|\b(?:OR|RR|HR|aOR|IRR)\s?"
                r"[=:(]|\b(?:IQR|SD|SE)\b|\bn\s?=\s?\d")),
    ("p_money", "money", re.compile(r"[£$€]\s?\d|\b\d[\d,.]*\s?(?:pounds|dollars|euros|k|m)\b",
                                    re.I)),
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
    "p_felt_that": ("felt", "feel", "believ", "thought", "perceived", "sensed", "worried",
                    "concerned", "agreed", "recogni", "reali"),
    "p_quote": ("\u201c", "\u201d", '"', "\u2018", "("),
    "p_first_person": ("i", "my", "me"),
    "p_condition_start": ("when", "where", "if", "once", "unless", "in ", "without", "with",
                          "given", "despite", "although", "because", "since", "as"),
    "p_so_that": ("so that", "order to", "so as", "meant", "meaning", "as a result",
                  "resulting", "led to", "leading to", "in turn"),
    "p_actor_response": ("said", "describ", "felt", "feel", "report", "explain", "express",
                         "told", "valu", "worr", "believ", "perceiv", "welcom", "apprecia",
                         "like", "found", "want", "prefer", "trust", "fear", "spoke", "talk",
                         "comment", "emphas", "stress", "highlight", "acknowledg", "noted",
                         "recogni"),
    "p_change_in": ("reduc", "increas", "decreas", "improv", "declin", "fall", "fell", "rise",
                    "rose", "drop", "chang", "halved", "doubled", "from"),
    "p_percent": ("%", "cent"),
    "p_stats": ("<", "=", ">", "\u2264", ":", "(", "ci", "iqr", "sd", "se"),
    "p_money": tuple("0123456789\u00a3$\u20ac"),
    "p_citation": tuple("0123456789"),
    "p_url": ("http", "www.", "doi", ".org", ".uk"),
    "p_question": ("?",),
}
_NEEDLE_RE = {name: re.compile("|".join(map(re.escape, needles)))
              for name, needles in NEEDLES.items()}
SHAPES = ("len_short", "len_long", "len_very_long", "starts_lower", "no_end_mark", "digits_heavy",
          "upper_heavy")
SHAPE_RULES = {
    "len_short": "a short fragment", "len_long": "a long sentence",
    "len_very_long": "a very long run of text", "starts_lower": "starts mid-sentence",
    "no_end_mark": "no closing punctuation", "digits_heavy": "mostly numbers (a table?)",
    "upper_heavy": "mostly capitals (a heading?)",
}
_END = re.compile(r"[.!?:;\u201d\"')\]]\s*$")


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
    patterns: dict[str, tuple[int, int]] = field(default_factory=dict)  # character spans
    shapes: set[str] = field(default_factory=set)

    def vector(self, index: dict[str, int]) -> np.ndarray:
        x = np.zeros(len(index), dtype=np.float32)
        x[0] = 1.0
        for name, found in self.spans.items():
            x[index[name]] = 1.0
            if len(found) > 1:
                x[index[f"{name}+"]] = 1.0
        for name in self.patterns:
            x[index[name]] = 1.0
        for name in self.shapes:
            x[index[name]] = 1.0
        for a, b in INTERACTIONS:
            if (a in self.spans or a in self.patterns) and (b in self.spans or b in self.patterns):
                x[index[f"{a}&{b}"]] = 1.0
        return x

    def present(self) -> set[str]:
        """Names of every feature that fired (for the learned model's inputs)."""
        names = set(self.spans) | {f"{n}+" for n, f in self.spans.items() if len(f) > 1}
        names |= set(self.patterns) | self.shapes
        names |= {f"{a}&{b}" for a, b in INTERACTIONS
                  if (a in self.spans or a in self.patterns)
                  and (b in self.spans or b in self.patterns)}
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
                doc = nlp.make_doc(phrase) if signal.written else nlp(phrase)
                matcher.add(label, [doc])
        self.index = {name: i for i, name in enumerate(feature_names())}

    def __call__(self, doc: Doc) -> Signals:
        found = Signals()
        for matcher in (self.by_norm, self.by_lower):
            for match_id, start, end in matcher(doc):
                name, phrase = self.names[match_id]
                found.spans.setdefault(name, []).append((start, end, phrase))
        text = doc_text(doc)
        lower = text.lower()
        for name, _, pattern in PATTERNS:
            needles = _NEEDLE_RE.get(name)
            if needles is not None and needles.search(lower) is None:
                continue  # cheap test first: most sentences hold none of these strings
            m = pattern.search(text)
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
    letters = sum(map(str.isalpha, text))
    digits = sum(map(str.isdigit, text))
    if digits > max(4, letters / 3):
        out.add("digits_heavy")
    if letters >= 8 and not text.islower():
        upper = sum(map(str.isupper, text))
        if upper > letters * 0.5:
            out.add("upper_heavy")
    return out


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
