"""Role cues, negation and hedging: the words around a match that change what it means.

* **Role cues** are causal and contrastive connectives. Each says which roles are likely for the
  words *after* it and for the words *before* it, with a weight: an outcome code matched after
  "led to" is more likely outcome evidence; a code matched after "where there was" or "in sites
  with" is more likely context; "because" introduces reasoning (mechanism) or context.
* **Negation** (NegEx-style): a pre-trigger ("no", "did not", "there was no reduction in")
  negates matches in the next few tokens of its clause; a post-trigger ("did not", "was not
  seen", "remained unchanged") negates a match just before it.
* **Hedging** ("may", "might", "unclear", "appears to") marks the whole clause as hedged.
* **Pseudo-triggers** look like a cue and are not: "not only" (negation), "what was expected of
  them" (hedge), "the community trust" or the writer's "too early to say" (reasoning).
* **Sentence kind**: a sentence that describes the study rather than reporting evidence (a
  reference entry, methods, aims, data sources, a research question, a recommendation) is
  marked, and so is whether it reports a change or result (:data:`CHANGE`: outcome evidence)
  and whether it tells how people reasoned or responded (:data:`REASONING`: mechanism
  evidence).

Cue phrases are matched on the same match keys (lemmas) as codebook terms, so "led to",
"leads to" and "leading to" are one cue. A clause ends at ``;`` ``:`` or a contrastive word
("but", "however", "although", "whereas"); cues and negations never reach across it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import accumulate

from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from realistcoder.propose.nlp import doc_text

C, M, OUT = "context", "mechanism", "outcome"

# phrase -> (roles for matches after the cue, roles for matches before it), weights in (0, 1]
_LEADS = ({OUT: 1.0, M: 0.5}, {C: 1.0, M: 0.8})
_BECAUSE = ({M: 1.0, C: 0.8}, {OUT: 1.0, M: 0.4})
_CONTEXT = ({C: 1.0}, {})
_ENABLER = ({M: 0.8, OUT: 0.8}, {C: 1.0, M: 0.5})
_REASONING = ({M: 1.0}, {})
_DESPITE = ({C: 1.0}, {OUT: 0.6, M: 0.6})

ROLE_CUES: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    # consequence: outcome after, cause before
    **dict.fromkeys(
        [
            "led to", "lead to", "leading to", "resulted in", "result in", "resulting in",
            "as a result", "as a consequence", "consequently", "contributed to", "contribute to",
            "translated into", "gave rise to", "brought about", "therefore", "thereby",
            "which meant", "so that", "in turn", "culminated in", "was associated with",
            "were associated with", "produced", "generated",
        ],
        _LEADS,
    ),
    # explanation: reasoning or context after, outcome before
    **dict.fromkeys(
        [
            "because", "because of", "due to", "owing to", "thanks to", "as a result of",
            "driven by", "attributed to", "explained by", "underpinned by", "through",
            "by virtue of",
        ],
        _BECAUSE,
    ),
    # conditions: context after
    **dict.fromkeys(
        [
            "where there was", "where there were", "where there is", "where", "wherever",
            "in sites with", "in sites where", "in practices with", "in areas with",
            "in places with", "in settings with", "in localities with", "when", "whenever",
            "provided that", "only when", "only after", "only if", "as long as", "required",
            "requires", "require", "depended on", "depends on", "dependent on", "alongside",
            "in the context of", "in the presence of", "against a background of", "once", "if",
        ],
        _CONTEXT,
    ),
    # enablers and barriers: context before, mechanism or outcome after
    **dict.fromkeys(
        [
            "enabled", "enable", "enabling", "allowed", "allow", "facilitated", "facilitate",
            "helped", "help", "made it possible", "supported", "was key to", "were key to",
            "key to", "prerequisite for", "precondition for", "barrier to", "barriers to",
            "obstacle to", "hindered", "hinder", "prevented", "prevent", "undermined",
            "made it harder", "made it difficult", "was a facilitator", "facilitator of",
        ],
        _ENABLER,
    ),
    # reasoning: what people felt, believed, were willing to do
    **dict.fromkeys(
        [
            "felt", "feel", "feeling", "perceived", "believed", "reported feeling",
            "were willing", "was willing", "willingness to", "motivated", "encouraged",
            "reassured", "empowered", "gave staff", "gave them", "sense of", "triggered",
            "prompted", "made staff feel", "made them feel", "valued", "trusted",
        ],
        _REASONING,
    ),
    # contrast: the conceded condition is context
    **dict.fromkeys(["despite", "in spite of", "even with", "notwithstanding"], _DESPITE),
}

# conditions and concessions open a subordinate clause that a comma closes
SUBORDINATE_CUES = frozenset(p for p, v in ROLE_CUES.items() if v in (_CONTEXT, _DESPITE))

NEGATION_PRE = [
    "no", "not", "never", "without", "nor", "neither", "none", "did not", "does not",
    "do not", "didn't", "doesn't", "don't", "was not", "were not", "has not", "have not",
    "had not", "cannot", "can't", "could not", "failed to", "fail to", "unable to",
    "no evidence of", "no evidence that", "little evidence of", "no significant",
    "no change in", "no reduction in", "no difference in", "no improvement in", "absence of",
    "there was no", "there were no", "no longer", "lack of evidence",
]
NEGATION_POST = [
    "did not", "was not", "were not", "has not", "have not", "had not", "not observed",
    "not seen", "not found", "not achieved", "not realised", "not realized", "not reduced",
    "not improved", "remained unchanged", "remain unchanged", "unchanged", "did not change",
    "failed", "was not significant", "were not significant",
]
# NegEx pseudo-triggers: look like negation, are not
PSEUDO_NEGATION = [
    "not only", "no doubt", "not necessarily", "whether or not", "not just", "no less",
    "nothing but", "not least", "no matter",
]
# look like hedges, are not: a duty ("what was expected of them"), a comparison with a forecast
PSEUDO_HEDGE = ["expected of", "than expected", "than would be expected", "as expected"]
# look like reasoning, are not: "trust" naming an NHS organisation, "say" in a writer's hedge
PSEUDO_REASONING = [
    "community trust", "nhs trust", "foundation trust", "acute trust", "hospital trust",
    "care trust", "health trust", "trust board", "ambulance trust", "trust's",
    # the writer's own hedge, not what participants said
    "too early to say", "cannot say", "can not say", "could not say", "not possible to say",
    "difficult to say", "hard to say",
]
# sentences that describe the study rather than report evidence (methods, aims, data sources)
METHODS = [
    "questionnaire was", "questionnaires were", "questionnaires used", "a questionnaire",
    "response rate", "were recruited", "was recruited",
    "were analysed", "were analyzed", "analysed thematically", "analyzed thematically",
    "we used", "we interviewed", "interviews were held", "interviews were conducted",
    "data were collected", "data were extracted", "were identified from", "this paper reports",
    "this report presents", "this note shares", "this study examines", "we report",
    "objective :", "objectives :", "aim :", "aims :", "methods :", "design :",
    "registered population of", "sign-in sheets", "were calculated from", "we searched",
    "background :", "we set out to", "we aimed to", "the aim of this", "the aim was to",
    "this evaluation examines", "this evaluation aimed", "data came from", "data were drawn from",
    "data were obtained from", "were drawn from", "was sent to", "were sent to",
    "semi-structured interviews", "focus groups were held", "we also analysed",
    "we also analyzed", "we analysed", "we analyzed", "we conducted",
    "it is written for", "this guide", "this note is",
    "we were not able to", "we were unable to", "were interviewed", "was approved by",
    "ethical approval", "inclusion criteria", "exclusion criteria", "permission was given",
    "permission was obtained", "consent was obtained", "gave informed consent", "tape-recorded",
    "audio-recorded", "were recorded and transcribed", "transcribed verbatim",
]
# first words of a recommendation ("2. Give volunteers clear roles ...")
IMPERATIVES = frozenset("""
give build collect hold make ensure agree use set plan involve invest start keep avoid provide
offer consider allow create put check define share review engage support develop establish
""".split())
SENTENCE_FACTORS = {"reference": 0.2, "methods": 0.3, "recommendation": 0.4, "question": 0.4}
# an outcome is a change or a result: words that report one
CHANGE = [
    "fall", "fell", "rise", "rose", "reduce", "reduction", "increase", "decrease", "improve",
    "improvement", "save", "saving", "savings", "cut", "drop", "grow", "growth", "decline", "halve",
    "double", "change", "%", "percent", "per cent", "effect", "impact", "benefit", "gain",
    "avoid", "avert", "prevent", "widen", "narrow", "achieve", "sustain", "led to",
    "resulted in", "outcome", "no longer", "stopped", "left", "stayed", "remain",
    "became", "become", "began to", "shift", "shifted", "moved", "dropped", "collapse",
    "collapsed", "stall", "stalled", "differ", "differed", "could now", "can now", "were now",
    "was now", "now able", "reached", "widening", "uneven", "unequal", "lost", "ended", "failed",
    # an unintended consequence is a result too
    "not anticipated", "unanticipated", "unforeseen", "unintended", "unexpected",
    "unexpectedly", "knock-on",
]

# how people reasoned or responded: what makes a sentence mechanism (reasoning) evidence
REASONING = [
    "feel", "felt", "feeling", "feelings", "confident", "confidence", "trust", "trusted",
    "willing", "willingness", "unwilling", "reluctant", "reluctance", "worried", "worry",
    "concern", "concerned", "fear", "feared", "afraid", "anxious", "cautious", "wary",
    "believe", "belief", "perceive", "perceived", "perception", "saw it as", "see it as",
    "saw this as", "viewed as", "seen as", "valued", "value", "motivated", "motivation",
    "encouraged", "reassured", "empowered", "ownership", "belong", "belonging", "pride",
    "sense of", "permission", "accept", "accepted", "acceptance", "agreed that", "keen",
    "enthusiastic", "enthusiasm", "frustrated", "frustration", "resistant", "resistance",
    "buy-in", "attitude", "attitudes", "listened to", "heard", "respected", "comfortable",
    "uncomfortable", "described", "said", "explained", "told us", "reported feeling",
    "according to", "interviewees", "participants said", "knew", "understood", "expected of",
    "learned", "learnt", "realised", "realized", "aligned", "alignment", "incentive to",
    "shared vision", "sense of purpose", "relationships", "relationship", "collaborate",
    "collaborating", "collaboration", "engaged", "engagement", "protective", "identity",
    "autonomy", "empowerment", "challenge", "questioned", "doubted", "overlooked",
    "as their own", "want to", "wanted to", "noticed", "recognised", "recognized",
    "decide together", "deciding together", "decided together",
    # the reasoning role cues ("prompted", "triggered", "gave staff", ...)
    *(p for p, v in ROLE_CUES.items() if v == _REASONING),
]

# comparatives report a change too, but their lemma is the plain adjective ("more" -> "much",
# "better" -> "well", "longer" -> "long"), so they are matched as written, not on match keys
CHANGE_AS_WRITTEN = [
    "lower", "higher", "more", "fewer", "less", "better", "worse", "shorter", "longer",
    "faster", "slower", "quicker", "easier", "harder", "greater", "smaller", "larger",
]

HEDGES = [
    "may", "might", "could be", "could have", "possibly", "possible", "potentially", "perhaps",
    "unclear", "uncertain", "appears to", "appear to", "appeared to", "seems", "seem to",
    "seemed to", "suggests", "suggest", "suggested", "likely", "unlikely", "tentative",
    "tentatively", "anecdotal", "anecdotally", "it is hoped", "hoped", "expected to",
    "is expected", "would", "not yet known", "too early to", "limited evidence", "mixed evidence",
    "it is not clear", "remains to be seen", "plausibly", "cannot say", "can not say",
    "could not say", "not possible to say", "not yet clear",
]
CLAUSE_BREAKS = {";", ":", "but", "however", "although", "though", "whereas", "yet", "except"}

PRE_WINDOW = 6  # tokens a pre-negation reaches forward
POST_WINDOW = 4  # tokens between a match and a post-negation
CUE_WINDOW = 15  # tokens a role cue reaches either side


@dataclass(frozen=True)
class CueHit:
    """One cue found in a sentence (token offsets ``start``/``end``)."""

    kind: str  # role | negation_pre | negation_post | hedge
    phrase: str
    start: int
    end: int
    after: tuple[tuple[str, float], ...] = ()
    before: tuple[tuple[str, float], ...] = ()
    comma_ends_scope: bool = False  # "where there was X, ...": the condition ends at the comma


@dataclass
class CueAnalysis:
    """Cues of one sentence, and its clause number per token."""

    hits: list[CueHit]
    clause: list[int]
    commas: list[int]  # number of commas before each token

    sentence: CueHit | None = None  # reference, methods, recommendation or question
    change: bool = False  # the sentence reports a change or result (see CHANGE)
    reasoning: list[tuple[int, int]] = field(default_factory=list)  # REASONING cue spans

    def __post_init__(self) -> None:
        self.roles = [h for h in self.hits if h.kind == "role"]
        self.negations = [h for h in self.hits if h.kind.startswith("negation")]
        self.hedges = [h for h in self.hits if h.kind == "hedge"]

    def reasoning_outside(self, spans: list[tuple[int, int]]) -> bool:
        """Whether a reasoning cue lies outside every one of ``spans`` (token offsets)."""
        return any(all(e <= a or b <= s for a, b in spans) for s, e in self.reasoning)

    def negation_for(self, start: int, end: int) -> CueHit | None:
        """The negation that covers tokens ``[start, end)``, if any (NegEx scope rules)."""
        for hit in self.negations:
            if hit.start < end and start < hit.end:
                continue  # the trigger is part of the matched words ("lack of time")
            if hit.kind == "negation_pre" and hit.end <= start <= hit.end + PRE_WINDOW - 1:
                if self._same_clause(hit.start, start):
                    return hit
            elif hit.kind == "negation_post" and end <= hit.start <= end + POST_WINDOW:
                if self._same_clause(end - 1, hit.start):
                    return hit
        return None

    def hedge_for(self, start: int) -> CueHit | None:
        """A hedge in the same clause as token ``start``."""
        for hit in self.hedges:
            if self._same_clause(hit.start, start):
                return hit
        return None

    def role_support(self, role: str, start: int) -> tuple[float, bool, list[CueHit]]:
        """(best weight for ``role``, whether role cues covered the token but none agreed, cues).

        Only cues in the same clause and within :data:`CUE_WINDOW` tokens count.
        """
        best, covered, agreeing = 0.0, False, []
        for hit in self.roles:
            if not self._same_clause(hit.start, start):
                continue
            if hit.end <= start < hit.end + CUE_WINDOW:
                if hit.comma_ends_scope and self.commas[start] > self.commas[hit.end - 1]:
                    continue
                scope = hit.after
            elif hit.start - CUE_WINDOW <= start < hit.start:
                scope = hit.before
            else:
                continue
            if not scope:
                continue
            covered = True
            weight = next((w for r, w in scope if r == role), 0.0)
            if weight > 0:
                agreeing.append(hit)
                best = max(best, weight)
        return best, covered and best == 0.0, agreeing

    def _same_clause(self, a: int, b: int) -> bool:
        return self.clause[a] == self.clause[b]


class CueMatcher:
    """Finds role cues, negations and hedges in processed sentences (one per pipeline)."""

    def __init__(self, nlp: Language):
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.breaks = frozenset(nlp.vocab.strings.add(w) for w in CLAUSE_BREAKS)
        self.comma = nlp.vocab.strings.add(",")
        self.kinds: dict[int, tuple[str, str]] = {}
        groups = {
            "role": list(ROLE_CUES),
            "negation_pre": NEGATION_PRE,
            "negation_post": NEGATION_POST,
            "pseudo": PSEUDO_NEGATION,
            "pseudo_hedge": PSEUDO_HEDGE,
            "pseudo_reasoning": PSEUDO_REASONING,
            "hedge": HEDGES,
            "methods": METHODS,
            "change": CHANGE,
            "reasoning": REASONING,
        }
        self.scopes = {
            phrase: (tuple(after.items()), tuple(before.items()), phrase in SUBORDINATE_CUES)
            for phrase, (after, before) in ROLE_CUES.items()
        }
        for kind, phrases in groups.items():
            for phrase in phrases:
                label = f"{kind}:{phrase}"
                self.kinds[nlp.vocab.strings.add(label)] = (kind, phrase)
                self.matcher.add(label, [nlp(phrase)])
        self.comparatives = frozenset(nlp.vocab.strings.add(w) for w in CHANGE_AS_WRITTEN)

    def __call__(self, doc: Doc) -> CueAnalysis:
        raw, pseudo, methods, change, reasoning = [], [], None, False, []
        pseudo_hedge, pseudo_reasoning = [], []
        for match_id, start, end in self.matcher(doc):
            kind, phrase = self.kinds[match_id]
            if kind == "change":
                change = True
            elif kind == "reasoning":
                reasoning.append((start, end))
            elif kind == "pseudo":
                pseudo.append((start, end))
            elif kind == "pseudo_hedge":
                pseudo_hedge.append((start, end))
            elif kind == "pseudo_reasoning":
                pseudo_reasoning.append((start, end))
            elif kind == "methods":
                methods = methods or CueHit("methods", phrase, start, end)
            else:
                raw.append((kind, phrase, start, end))
        lowers = doc.to_array(LOWER).tolist()
        if not change:
            change = not self.comparatives.isdisjoint(lowers)
        text = doc_text(doc)
        sentence = (
            (_reference(doc) if _MAYBE_REFERENCE.match(text) and _YEAR.search(text) else None)
            or (_recommendation(doc) if _MAYBE_RECOMMENDATION.match(text) else None)
            or methods
            or (_question(doc) if text.rstrip().endswith("?") else None)
        )
        if pseudo_reasoning:
            reasoning = [r for r in reasoning if not _overlaps(r, pseudo_reasoning)]
        hits = []
        for kind, phrase, start, end in _longest_first(raw) if len(raw) > 1 else raw:
            if pseudo and kind.startswith("negation") and _inside((start, end), pseudo):
                continue
            if pseudo_hedge and kind == "hedge" and _overlaps((start, end), pseudo_hedge):
                continue
            after, before, comma = self.scopes.get(phrase, ((), (), False))
            hits.append(CueHit(kind, phrase, start, end, after, before, comma))
        if not hits:  # clauses only matter around cues
            return CueAnalysis([], [], [], sentence, change, reasoning)
        clause, commas = self._clauses(lowers)
        return CueAnalysis(hits, clause, commas, sentence, change, reasoning)

    def _clauses(self, lowers: list[int]) -> tuple[list[int], list[int]]:
        """Clause number and commas seen, per token (``lowers``: the tokens' LOWER ids)."""
        if self.breaks.isdisjoint(lowers) and self.comma not in lowers:
            return [0] * len(lowers), [0] * len(lowers)
        breaks, comma = self.breaks, self.comma
        clause = list(accumulate(lower in breaks for lower in lowers))
        commas = [0, *accumulate(lower == comma for lower in lowers[:-1])]
        return clause, commas


# cheap tests on the text before the token-level checks below (most sentences fail them)
_MAYBE_REFERENCE = re.compile(r"\s*(?:[\[(]\s*\d+\s*[\])]\s*)?[A-Z][^\s,]*,?\s+[A-Z]{1,3}\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MAYBE_RECOMMENDATION = re.compile(
    r"\W{0,6}(?:\d+[.)]?\s*\W{0,3})?(?:" + "|".join(w.title() for w in sorted(IMPERATIVES))
    + r")\b|\W{0,6}\d+[.)]?\s*\W{0,3}[A-Z][a-z]+\b"
)


def _reference(doc: Doc) -> CueHit | None:
    """A reference-list entry: "Daly C, Forde E, et al. (2015) ..." or "[4] Smith J. ..."."""
    i = 0
    if len(doc) > 3 and doc[0].text in ("[", "(") and doc[1].like_num:
        i = 3
    if len(doc) < i + 4:
        return None
    name, initials = doc[i], doc[i + 1]
    if not (name.is_title and initials.is_upper and initials.is_alpha and len(initials) <= 3):
        return None
    if not any(t.like_num and len(t) == 4 and t.text[:2] in ("19", "20") for t in doc):
        return None
    return CueHit("reference", "author, initials and year", i, i + 2)


def _recommendation(doc: Doc) -> CueHit | None:
    """A recommendation: the sentence (after a list number or bullet) opens with a verb: one of
    :data:`IMPERATIVES`, or, after a list number ("2. Pay residents ..."), any verb in its base
    form that is not followed by a verb of its own (which would make it a subject: "2. Staff
    felt ...")."""
    i = 0
    while i < len(doc) and i < 3 and not doc[i].is_alpha:
        i += 1
    if i >= len(doc) or not doc[i].is_title:
        return None
    word = doc[i].lower_
    if word in IMPERATIVES:
        return CueHit("recommendation", word, i, i + 1)
    numbered = i >= 1 and doc[0].like_num and i + 1 < len(doc)
    if numbered and _is_base_verb(word) and not _is_verb_form(doc[i + 1].lower_):
        return CueHit("recommendation", word, i, i + 1)
    return None


def _question(doc: Doc) -> CueHit | None:
    """A research or review question ("What helped ...?"): asks, reports nothing."""
    if len(doc) > 2 and doc[-1].text == "?":
        return CueHit("question", "?", len(doc) - 1, len(doc))
    return None


def _is_base_verb(word: str) -> bool:
    from realistcoder.propose.nlp import lexicon

    return lexicon().is_base_verb(word)


def _is_verb_form(word: str) -> bool:
    from realistcoder.propose.nlp import lexicon

    return lexicon().is_verb_form(word)


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether ``span`` starts inside one of ``spans`` (token offsets)."""
    return any(s <= span[0] < e for s, e in spans)


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether ``span`` shares a token with one of ``spans`` (token offsets)."""
    return any(s < span[1] and span[0] < e for s, e in spans)


def _longest_first(raw: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """Drop a cue nested in a longer cue of the same kind ("as a result" in "as a result of")."""
    raw = sorted(raw, key=lambda r: (r[2], -(r[3] - r[2])))
    kept: list[tuple[str, str, int, int]] = []
    for item in raw:
        if any(k[0] == item[0] and k[2] <= item[2] and item[3] <= k[3] for k in kept):
            continue
        kept.append(item)
    return kept
