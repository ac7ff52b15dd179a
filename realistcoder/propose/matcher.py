"""The matcher: sentences x codebook -> scored, explained proposals. Pure: no store, no SQL.

How a code is found in a sentence
---------------------------------
1. **lemma**: each code term is matched on match keys (lower-cased, American-spelling lemmas,
   held in ``NORM``; see :mod:`realistcoder.propose.nlp`) with a spaCy ``PhraseMatcher``, so
   "staff felt more confident" matches the term "feel more confident".
2. **pattern**: a code's spaCy ``Matcher`` patterns (``LEMMA`` values are compared with match
   keys, so write them in any case or spelling; ``LOWER``, ``TEXT`` etc. work as usual).
3. **fuzzy**: tokens that missed and are not English words are repaired against the codebook's
   term words (:mod:`realistcoder.propose.repair`), and the terms are matched again on the
   repaired sentence; only matches that use a repaired word count as fuzzy.
An ``exclude`` term of a code anywhere in the sentence vetoes that code.

Score (in [0, 1], rounded to 3 places)
--------------------------------------
* each distinct matched term *t* has a specificity
  ``s(t) = B(n) / (1 + 0.5 * (k - 1))`` where *n* is its number of content words
  (``B = 0.45, 0.65, 0.8, 0.9`` for 1, 2, 3, 4+ words), and *k* the number of codes of the
  codebook sharing the term; a pattern match counts as ``s = 0.7``;
* a fuzzy match is discounted: ``s *= 0.85 * similarity / 100`` (split or glued words that
  re-join exactly: ``s *= 0.9``);
* evidence from several terms combines as a noisy-OR: ``e = 1 - prod(1 - s(t))``;
* role cues: when a cue in the same clause points at the code's role with weight *w*
  (:mod:`realistcoder.propose.cues`), ``e += (1 - e) * 0.4 * w``; when cues cover the match but
  point only at other roles, ``e *= 0.85``;
* the role needs its own signal in the sentence (each discount flags the proposal):
  an outcome code where nothing reports a change or result ("fell", "improved", "%",
  "led to", "more", ...: :data:`realistcoder.propose.cues.CHANGE`): ``e *= 0.45``, flag
  ``no_change``; a mechanism code where nothing tells how people reasoned or responded ("felt",
  "confidence", "willing", "worried", "said", "prompted", ...:
  :data:`realistcoder.propose.cues.REASONING`): ``e *= 0.45``, flag ``no_reasoning``; a context
  code in a sentence whose reasoning words lie outside the match, with no cue marking a
  condition ("where", "when", "in sites with", ...): ``e *= 0.45``, flag ``reasoning_sentence``
  (the sentence is mechanism evidence). The three discounts are equal, so that a lone two-word
  term (0.65) without its role's signal falls below the default threshold 0.3 whatever its
  role;
* negation: ``e *= 0.5`` and flag ``negated``, but ``e *= 0.85`` for an outcome (a null
  finding, "there was no reduction in ...", is disconfirming outcome evidence); hedging:
  ``e *= 0.8`` and flag ``hedged``;
* a sentence that is not evidence but describes the study is flagged and discounted: a
  reference-list entry (``e *= 0.2``, flag ``reference``), methods, aims or data sources
  (``e *= 0.3``, ``methods``), a recommendation opening with a verb (``e *= 0.4``,
  ``recommendation``), a question (``e *= 0.4``, ``question``);
* a multi-word term found *near* (its words apart, :mod:`realistcoder.propose.near`) counts
  ``s *= 0.75``.
Per sentence, only the best code of each (codebook, role, theory) is proposed, plus sibling
codes scoring within 0.15 of it (a close call the reviewer should see), not a flood of related
codes. The method is ``lemma``, ``pattern`` or ``fuzzy``, or ``combined`` when several
contributed.
Every proposal lists its matched spans (character offsets within the sentence), including the
cues, negations and hedges that changed the score, so the reviewer sees why.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from realistcoder.codebook.model import Code, Codebook
from realistcoder.errors import CodebookError
from realistcoder.propose.cues import SENTENCE_FACTORS, CueAnalysis, CueHit, CueMatcher
from realistcoder.propose.near import NearMatcher
from realistcoder.propose.nlp import doc_text, lexicon, load_nlp
from realistcoder.propose.pattern_gate import PatternGate
from realistcoder.propose.repair import Repairer, repaired_doc

METHODS = {"term": "lemma", "near": "lemma", "pattern": "pattern", "fuzzy": "fuzzy"}
NEAR_FACTOR = 0.75
WORD_WEIGHT = {1: 0.45, 2: 0.65, 3: 0.8}
MAX_WORD_WEIGHT = 0.9
SHARED_TERM_PENALTY = 0.5
PATTERN_WEIGHT = 0.7
FUZZY_FACTOR = 0.85
REJOIN_FACTOR = 0.9
CUE_BOOST = 0.4
CUE_CONFLICT = 0.85
NEGATION_FACTOR = 0.5
OUTCOME_NEGATION_FACTOR = 0.85
NO_CHANGE_FACTOR = 0.45
NO_REASONING_FACTOR = 0.45
REASONING_CONTEXT_FACTOR = 0.45
HEDGE_FACTOR = 0.8
SIBLING_MARGIN = 0.15
GATED = frozenset({"context", "mechanism", "outcome"})  # roles the role detector decides


@dataclass
class Proposal:
    """One code proposed for one sentence."""

    code: str
    label: str
    role: str
    theory: str | None
    mechanism_type: str | None
    score: float
    method: str
    matched: list[dict]
    flags: list[str] = field(default_factory=list)
    codebook: int = 0  # position of the code's codebook in the matcher's list


@dataclass(slots=True)
class _Hit:
    start: int  # tokens of the original doc
    end: int
    term: str
    kind: str  # term | near | pattern | fuzzy
    weight: float
    similarity: float = 100.0
    words: list[int] | None = None  # near: the positions of the words


def term_weight(n_content_words: int, n_codes_sharing: int) -> float:
    """Specificity of a term (see the module docstring)."""
    base = WORD_WEIGHT.get(max(1, n_content_words), MAX_WORD_WEIGHT)
    return base / (1 + SHARED_TERM_PENALTY * (max(1, n_codes_sharing) - 1))


class CodebookMatcher:
    """One or more codebooks compiled for matching together (one pass per sentence). Build
    once, then :meth:`match` many docs; ``Proposal.codebook`` is the codebook's position."""

    def __init__(self, codebooks: Codebook | Sequence[Codebook], nlp: Language | None = None):
        self.codebooks = [codebooks] if isinstance(codebooks, Codebook) else list(codebooks)
        self.codebook = self.codebooks[0]
        self.nlp = nlp or load_nlp()
        self.lex = lexicon()
        self.codes: list[Code] = [c for cb in self.codebooks for c in cb.codes]
        self.book_of: list[int] = [i for i, cb in enumerate(self.codebooks) for _ in cb.codes]
        vocab = self.nlp.vocab
        self.phrase = PhraseMatcher(vocab, attr="NORM")
        self.exclude = PhraseMatcher(vocab, attr="NORM")
        self.patterns = Matcher(vocab, validate=True)
        self.cues = _cue_matcher(self.nlp)
        # phrase match id -> [(code index, term text, specificity)]
        self._entries: dict[int, list[tuple[int, str, float]]] = {}
        self._exclude_codes: dict[int, set[int]] = defaultdict(set)
        self._pattern_codes: dict[int, int] = {}
        self.pattern_gate = PatternGate(self.nlp.vocab)
        term_words: dict[str, str] = {}
        self._compile_terms(term_words)
        self._compile_patterns()
        self._with_exclude = frozenset(i for ids in self._exclude_codes.values() for i in ids)
        self._ungated = any(c.role not in GATED for c in self.codes)
        self.repairer = Repairer(self.lex, term_words)

    # -- compiling ------------------------------------------------------------------------
    def _compile_terms(self, term_words: dict[str, str]) -> None:
        by_key: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
        docs: dict[str, Doc] = {}
        texts = {t.strip() for c in self.codes for t in (*c.terms, *c.exclude) if t.strip()}
        for text, doc in zip(sorted(texts), self.nlp.pipe(sorted(texts)), strict=True):
            docs[text] = doc
        for index, code in enumerate(self.codes):
            for term in dict.fromkeys(t.strip() for t in code.terms if t.strip()):
                doc = docs[term]
                key = tuple(t.norm_ for t in doc)
                if all(i != index for i, _ in by_key[key]):
                    by_key[key].append((index, term))
                for tok in doc:
                    if tok.is_alpha and tok.lower_ not in STOP_WORDS:
                        term_words.setdefault(tok.lower_, tok.norm_)
                        term_words.setdefault(tok.norm_, tok.norm_)
            for term in dict.fromkeys(t.strip() for t in code.exclude if t.strip()):
                label = f"exclude:{' '.join(t.norm_ for t in docs[term])}"
                match_id = self.nlp.vocab.strings.add(label)
                if match_id not in self._exclude_codes:
                    self.exclude.add(label, [docs[term]])
                self._exclude_codes[match_id].add(index)
        near_terms = []
        for key, entries in by_key.items():
            label = "term:" + " ".join(key)
            match_id = self.nlp.vocab.strings.add(label)
            first_doc = docs[entries[0][1]]
            self.phrase.add(label, [first_doc])
            content = [t.norm for t in first_doc if t.is_alpha and t.lower_ not in STOP_WORDS]
            sharing = Counter(self.book_of[i] for i, _ in entries)  # codes sharing, per codebook
            self._entries[match_id] = [
                (i, term, term_weight(len(content), sharing[self.book_of[i]]))
                for i, term in entries
            ]
            near_terms.append((match_id, tuple(content)))
        self.near = NearMatcher(near_terms)

    def _compile_patterns(self) -> None:
        for index, code in enumerate(self.codes):
            if not code.patterns:
                continue
            label = f"pattern:{index}:{code.id}"
            normalised = [self._normalise(p) for p in code.patterns]
            for pattern in normalised:
                self.pattern_gate.add(pattern)
            try:
                self.patterns.add(label, normalised)
            except (ValueError, TypeError) as err:
                raise CodebookError(
                    f"code {code.id!r} has a pattern spaCy cannot use: {err}",
                    subject=self.codebooks[self.book_of[index]].source
                    or self.codebooks[self.book_of[index]].name,
                    fix="fix the pattern (see https://spacy.io/usage/rule-based-matching)",
                ) from err
            self._pattern_codes[self.nlp.vocab.strings[label]] = index

    def _normalise(self, pattern: list[dict]) -> list[dict]:
        """``LEMMA`` in a pattern is compared with match keys (any case or spelling works)."""
        out = []
        for spec in pattern:
            spec = dict(spec)
            value = spec.pop("LEMMA", None)
            if isinstance(value, str):
                spec["NORM"] = self.lex.key(value)
            elif isinstance(value, dict):
                spec["NORM"] = {
                    op: [self.lex.key(v) for v in vals] if isinstance(vals, list) else vals
                    for op, vals in value.items()
                }
            out.append(spec)
        return out

    # -- matching -------------------------------------------------------------------------
    def match_texts(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[list[Proposal]]:
        """Proposals for each text, in order."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield self.match(doc)

    def match(
        self, doc: Doc, cues: CueAnalysis | None = None, min_score: float = 0.0,
        roles: set[str] | None = None,
    ) -> list[Proposal]:
        """Proposals scoring at least ``min_score`` for one processed sentence, best first.

        With ``roles``, only codes whose role is among them (or is not context, mechanism or
        outcome) are scored: the role gate of ``propose``, applied before the costly part.
        The cue analysis (independent of the codebook) is made once per doc and kept in
        ``doc.user_data``, unless ``cues`` is given."""
        if roles is not None and not roles and not self._ungated:
            return []  # the gate leaves no code to score: skip the matching altogether
        hits: dict[int, list[_Hit]] = defaultdict(list)
        entries = self._entries
        exact = self.phrase(doc)
        for match_id, start, end in exact:
            for index, term, weight in entries[match_id]:
                hits[index].append(_Hit(start, end, term, "term", weight))
        near = self.near(doc, {match_id for match_id, _, _ in exact} if exact else frozenset())
        if near:
            for match_id, words in near:
                for index, term, weight in entries[match_id]:
                    hits[index].append(_Hit(words[0], words[-1] + 1, term, "near",
                                            weight * NEAR_FACTOR, words=words))
        if self._pattern_codes and self.pattern_gate.may_match(doc):
            for match_id, start, end in self.patterns(doc):
                hits[self._pattern_codes[match_id]].append(
                    _Hit(start, end, _chars(doc, start, end)[2], "pattern", PATTERN_WEIGHT)
                )
        self._fuzzy_hits(doc, hits)
        if roles is not None and hits:
            for index in [i for i in hits if self.codes[i].role in GATED
                          and self.codes[i].role not in roles]:
                del hits[index]
        if not hits:
            return []
        if not self._with_exclude.isdisjoint(hits):
            for match_id, _, _ in self.exclude(doc):
                for index in self._exclude_codes[match_id]:
                    hits.pop(index, None)
        if cues is None:  # shared by every codebook matched against this doc
            cues = doc.user_data.get("rc_cues")
            if cues is None:
                cues = doc.user_data["rc_cues"] = self.cues(doc)
        proposals = []
        for index, code_hits in hits.items():
            proposal = self._proposal(self.codes[index], code_hits, cues, doc, min_score)
            if proposal is not None:
                proposal.codebook = self.book_of[index]
                proposals.append(proposal)
        proposals.sort(key=lambda p: (-p.score, p.code))
        return _best_per_role_theory(proposals) if len(proposals) > 1 else proposals

    def _fuzzy_hits(self, doc: Doc, hits: dict[int, list[_Hit]]) -> None:
        units = self.repairer.repair(doc)
        if units is None:
            return
        rdoc, owner = repaired_doc(doc, units)
        for match_id, start, end in self.phrase(rdoc):
            used = {id(owner[i]): owner[i] for i in range(start, end)}
            repaired = [u for u in used.values() if u.how]
            if not repaired:
                continue  # already found on the original words
            first, last = owner[start], owner[end - 1]
            similarity = min(u.similarity for u in repaired)
            exact = all(u.how in ("split", "glued") for u in repaired) and similarity == 100.0
            factor = REJOIN_FACTOR if exact else FUZZY_FACTOR * similarity / 100
            for index, term, weight in self._entries[match_id]:
                hits[index].append(
                    _Hit(first.start, last.end, term, "fuzzy", weight * factor, similarity)
                )

    def _proposal(
        self, code: Code, hits: list[_Hit], cues: CueAnalysis, doc: Doc, min_score: float
    ) -> Proposal | None:
        kept = _non_overlapping(hits) if len(hits) > 1 else hits
        best: dict[str, float] = {}
        for hit in kept:
            best[hit.term] = max(best.get(hit.term, 0.0), hit.weight)
        miss = 1.0
        for weight in best.values():
            miss *= 1 - weight
        evidence = 1 - miss
        if min_score > 0 and _ceiling(evidence, code.role, cues) < min_score:
            return None  # no cue could lift it to the threshold: skip the cue analysis
        flags: list[str] = []
        extra: list[CueHit] = []
        anchor = min(kept, key=lambda h: h.start)
        if code.role != "other":
            weight, conflict, agreeing = cues.role_support(code.role, anchor.start)
            if (code.role == "context" and weight == 0 and cues.reasoning
                    and cues.reasoning_outside([(h.start, h.end) for h in kept])):
                # the sentence tells how people reasoned, and nothing marks this as a condition
                evidence *= REASONING_CONTEXT_FACTOR
                flags.append("reasoning_sentence")
            if weight > 0:
                evidence += (1 - evidence) * CUE_BOOST * weight
                extra.extend(agreeing)
            elif conflict:
                evidence *= CUE_CONFLICT
                flags.append("cue_conflict")
        negations = [cues.negation_for(h.start, h.end) for h in kept] if cues.negations else [None]
        if all(negations):  # a null finding is still outcome evidence (disconfirming)
            evidence *= OUTCOME_NEGATION_FACTOR if code.role == "outcome" else NEGATION_FACTOR
            flags.append("negated")
            extra.extend(dict.fromkeys(n for n in negations if n))
        hedge = cues.hedge_for(anchor.start) if cues.hedges else None
        if hedge is not None:
            evidence *= HEDGE_FACTOR
            flags.append("hedged")
            extra.append(hedge)
        if code.role == "outcome" and not cues.change:
            evidence *= NO_CHANGE_FACTOR
            flags.append("no_change")
        elif code.role == "mechanism" and not cues.reasoning:
            evidence *= NO_REASONING_FACTOR
            flags.append("no_reasoning")
        if cues.sentence is not None:
            evidence *= SENTENCE_FACTORS[cues.sentence.kind]
            flags.append(cues.sentence.kind)
            extra.append(cues.sentence)
        score = round(min(1.0, max(0.0, evidence)), 3)
        if score < min_score:
            return None
        methods = {METHODS[h.kind] for h in kept}
        method = "combined" if len(methods) > 1 else methods.pop()
        if len(kept) > 1:
            kept = sorted(kept, key=lambda h: h.start)
        matched = [m for h in kept for m in _span_json(h, doc)]
        if extra:
            matched += [_cue_json(c, doc) for c in sorted(extra, key=lambda c: c.start)]
        return Proposal(
            code=code.id,
            label=code.label,
            role=code.role,
            theory=code.theory,
            mechanism_type=code.mechanism_type,
            score=score,
            method=method,
            matched=matched,
            flags=flags,
        )


def _ceiling(evidence: float, role: str, cues: CueAnalysis) -> float:
    """The highest score a code with this term evidence can reach in this sentence (the best
    cue boost, and only the sentence-level discounts)."""
    ceiling = evidence + (1 - evidence) * CUE_BOOST if role != "other" else evidence
    if cues.sentence is not None:
        ceiling *= SENTENCE_FACTORS[cues.sentence.kind]
    if role == "outcome" and not cues.change:
        ceiling *= NO_CHANGE_FACTOR
    elif role == "mechanism" and not cues.reasoning:
        ceiling *= NO_REASONING_FACTOR
    return ceiling


def _best_per_role_theory(proposals: list[Proposal]) -> list[Proposal]:
    """One proposal per (codebook, role, theory): the best, plus sibling codes scoring within
    :data:`SIBLING_MARGIN` of it (a close call the reviewer should see). ``proposals`` is
    sorted best first."""
    best: dict[tuple, float] = {}
    kept = []
    for p in proposals:
        key = (p.codebook, p.role, p.theory)
        top = best.setdefault(key, p.score)
        if p.score >= top - SIBLING_MARGIN:
            kept.append(p)
    return kept


def _non_overlapping(hits: list[_Hit]) -> list[_Hit]:
    """Longest, then strongest, spans first; drop spans overlapping one already kept."""
    by_start = sorted(hits, key=lambda h: h.start)
    if all(a.end <= b.start for a, b in itertools.pairwise(by_start)):
        return by_start  # the common case: nothing overlaps
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -h.weight, h.start)):
        if all(hit.end <= k.start or k.end <= hit.start for k in kept):
            kept.append(hit)
    return kept


def _chars(doc: Doc, start: int, end: int) -> tuple[int, int, str]:
    """Character offsets and text of tokens ``[start, end)`` (two token look-ups: cheaper than
    an array of every token's offsets for the few spans a sentence has)."""
    first, last = doc[start], doc[end - 1]
    a, b = first.idx, last.idx + len(last)
    return a, b, doc_text(doc)[a:b]


def _span_json(hit: _Hit, doc: Doc) -> list[dict]:
    """Matched spans (one per word for a near match); character offsets into ``doc.text``."""
    if hit.words:
        out = []
        for i in hit.words:
            a, b, text = _chars(doc, i, i + 1)
            out.append({"start": a, "end": b, "text": text, "term": hit.term, "kind": "near"})
        return out
    a, b, text = _chars(doc, hit.start, hit.end)
    data = {"start": a, "end": b, "text": text, "term": hit.term, "kind": hit.kind}
    if hit.kind == "fuzzy":
        data["similarity"] = round(hit.similarity, 1)
    return [data]


def _cue_json(hit: CueHit, doc: Doc) -> dict:
    kind = {"role": "cue", "negation_pre": "negation", "negation_post": "negation"}.get(
        hit.kind, hit.kind)
    a, b, text = _chars(doc, hit.start, hit.end)
    return {"start": a, "end": b, "text": text, "term": hit.phrase, "kind": kind}


_CUE_MATCHERS: dict[int, CueMatcher] = {}


def _cue_matcher(nlp: Language) -> CueMatcher:
    """One cue matcher per pipeline (building it parses ~300 phrases)."""
    key = id(nlp)
    if key not in _CUE_MATCHERS:
        _CUE_MATCHERS[key] = CueMatcher(nlp)
    return _CUE_MATCHERS[key]


_COMPILED: dict[tuple[str, ...], CodebookMatcher] = {}


def compiled(codebooks: Codebook | Sequence[Codebook]) -> CodebookMatcher:
    """A matcher for one or more codebooks, cached per process by their content hashes."""
    books = [codebooks] if isinstance(codebooks, Codebook) else list(codebooks)
    key = tuple(cb.sha256() for cb in books)
    if key not in _COMPILED:
        if len(_COMPILED) >= 16:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = CodebookMatcher(books)
    return _COMPILED[key]


def propose_text(text: str, codebook: Codebook) -> list[Proposal]:
    """Proposals for one sentence (convenience for tests and notebooks)."""
    matcher = compiled(codebook)
    return matcher.match(matcher.nlp(text))
