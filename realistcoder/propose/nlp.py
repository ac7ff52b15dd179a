"""The spaCy pipeline the matcher runs, loaded once per process.

Every token gets a *match key*: its lower-cased lemma with British spellings mapped to American
ones ("Organisations" -> "organization", "felt" -> "feel"), so that codebook terms, cue phrases
and sentences meet on the same keys whatever their inflection, case or spelling. Lemmas come
from spaCy's lookup lemmatizer tables (spacy-lookups-data) on ``spacy.blank("en")``, or from a
trained English pipeline when one is installed (``en_core_web_sm`` and friends).

The key is held in the ``NORM`` attribute, which the matchers compare. With the lookup tables
a word's key does not depend on its context, so it is set once per word type on the vocabulary's
lexeme (``vocab[word].norm_``) and every later token of that word inherits it for free: the
per-sentence cost is one set difference. (Tokenizer exceptions keep their own norms, e.g.
"n't" -> "not".) A trained pipeline's lemmas depend on context, so there keys are set per token.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

import spacy
from spacy.attrs import ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.tokens import Doc
from spacy.vocab import Vocab

_AUXILIARIES = frozenset(
    "is are was were be been has have had do does did can could will would should may might "
    "must shall".split()
)
# lookup lemmas that merge a word with an unrelated one: the adjective "willing" is not "will"
_KEEP_AS_WRITTEN = frozenset({"willing"})
TRAINED_PIPELINES = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg")
KEY_COMPONENT = "realist_match_key"


class Lexicon:
    """Lemma and spelling tables, plus the set of known English words (for spotting PDF junk)."""

    def __init__(self) -> None:
        lookups = load_lookups("en", ["lemma_lookup", "lexeme_norm", "lemma_index"])
        self._lemma = lookups.get_table("lemma_lookup")
        self._norm = lookups.get_table("lexeme_norm")
        index = lookups.get_table("lemma_index")
        words: set[str] = set(STOP_WORDS)
        for pos in ("noun", "verb", "adj", "adv"):
            words.update(w for w in index.get(pos, []) if w.isalpha())
        self._verbs = frozenset(w for w in index.get("verb", []) if w.isalpha())
        words.update(v for v in self._lemma.values() if isinstance(v, str))
        self._words = frozenset(words)
        self._cache: dict[str, str] = {}
        self._seen: dict[int, tuple[set[int], set[int], set[int]]] = {}

    def key(self, text: str) -> str:
        """Match key: lower-cased, American spelling, lemma ("Behaviours" -> "behavior")."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        lower = text.lower()
        us = self._norm.get(lower, lower)
        if us in _KEEP_AS_WRITTEN:
            lemma = us
        else:
            lemma = self._lemma.get(us) or self._lemma.get(lower) or us
        result = self._norm.get(lemma, lemma)
        if len(self._cache) < 500_000:
            self._cache[text] = result
        return result

    def prepare(self, orths: list[int], vocab: Vocab) -> list[int]:
        """Give new word types their match key (on the lexeme); return the positions of
        unknown words among ``orths`` that could hide a term (see :func:`repair_candidate`)."""
        done, unknown, titled = self._seen.setdefault(id(vocab), (set(), set(), set()))
        new = set(orths).difference(done)
        for orth in new:
            text = vocab.strings[orth]
            vocab[orth].norm_ = self.key(text)
            if self.is_unknown(text) and not text.isupper():
                unknown.add(orth)
                if text.istitle():
                    titled.add(orth)
            done.add(orth)
        if unknown.isdisjoint(orths):
            return []
        return [i for i, orth in enumerate(orths)
                if orth in unknown and (i == 0 or orth not in titled)]

    def key_of_lemma(self, lemma: str) -> str:
        """Match key from a trained pipeline's lemma (lower-cased, American spelling)."""
        lower = lemma.lower()
        return self._norm.get(lower, lower)

    def is_unknown(self, text: str) -> bool:
        """An alphabetic token that is no English word, or a word broken by a hyphen ("organi-")."""
        if text.isalpha():
            return not self.is_word(text.lower())
        return len(text) > 2 and text.endswith("-") and text[:-1].isalpha()

    def is_base_verb(self, lower: str) -> bool:
        """A verb in its base form ("pay", "collect"; not "holding" or "staffed")."""
        return lower in self._verbs and self._lemma.get(lower, lower) == lower

    def is_verb_form(self, lower: str) -> bool:
        """An inflected verb form ("felt", "was", "reported"), not a base form."""
        if lower in _AUXILIARIES:
            return True
        lemma = self._lemma.get(lower)
        return lemma is not None and lemma != lower and lemma in self._verbs

    def is_word(self, lower: str) -> bool:
        """Whether a lower-cased token is a known English word (or an inflection of one)."""
        return (
            lower in self._words
            or self._lemma.get(lower) is not None
            or self._norm.get(lower) is not None
        )


def repair_candidate(lex: Lexicon, text: str, i: int) -> bool:
    """An unknown word where a misspelt or broken term could hide: not an acronym, and not a
    capitalised name unless it opens the sentence."""
    return lex.is_unknown(text) and not text.isupper() and (i == 0 or not text.istitle())


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


@Language.component(KEY_COMPONENT)
def set_match_keys(doc: Doc) -> Doc:
    """Give tokens their match key in ``NORM`` (see the module docstring), and record in
    ``doc.user_data["rc_unknown"]`` the positions of tokens that are not English words, nor
    acronyms or capitalised names (the only candidates for fuzzy repair)."""
    lex = lexicon()
    if doc.user_data.get("rc_trained", False):
        unknown = []
        for token in doc:
            token.norm_ = lex.key_of_lemma(token.lemma_)
            if repair_candidate(lex, token.text, token.i):
                unknown.append(token.i)
        doc.user_data["rc_unknown"] = unknown
        return doc
    orths = doc.to_array(ORTH).tolist() if len(doc) else []
    doc.user_data["rc_unknown"] = lex.prepare(orths, doc.vocab)
    return doc


@Language.component("realist_mark_trained")
def mark_trained(doc: Doc) -> Doc:
    doc.user_data["rc_trained"] = True
    return doc


def trained_pipeline_name() -> str | None:
    """The first installed trained English pipeline, if any."""
    for name in TRAINED_PIPELINES:
        if importlib.util.find_spec(name) is not None:
            return name
    return None


class TextKeepingTokenizer:
    """Wraps the pipeline's tokenizer to keep each doc's source text in
    ``doc.user_data["rc_text"]``: rebuilding ``doc.text`` walks every token in Python, and the
    matcher needs the text of every sentence it proposes for (to quote matched spans)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data["rc_text"] = text
        return doc

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


def doc_text(doc: Doc) -> str:
    """The doc's text, without walking its tokens when the tokenizer kept it."""
    text = doc.user_data.get("rc_text")
    return text if text is not None else doc.text


@lru_cache(maxsize=2)
def load_nlp(use_trained: bool = True) -> Language:
    """The matching pipeline (cached: build it once per process)."""
    name = trained_pipeline_name() if use_trained else None
    if name:
        nlp = spacy.load(name, exclude=["parser", "ner", "senter", "textcat"])
        nlp.add_pipe("realist_mark_trained")
    else:
        nlp = spacy.blank("en")
    nlp.add_pipe(KEY_COMPONENT)
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    lexicon()
    return nlp


def pipeline_description(nlp: Language) -> str:
    """Short text naming the pipeline, for reports."""
    meta = nlp.meta
    if nlp.pipe_names and nlp.pipe_names[0] != KEY_COMPONENT:
        return f"{meta.get('lang', 'en')}_{meta.get('name', 'pipeline')} {meta.get('version', '')}"
    return "spacy.blank('en') + lookup lemmas (spacy-lookups-data)"
