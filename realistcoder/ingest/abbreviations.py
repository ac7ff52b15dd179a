"""Abbreviations and sentence starters for the sentence splitter, seeded from spaCy's English data.

Three kinds of abbreviation, by what may follow them:

- ``PREFIX``: always followed by something ("Dr.", "Fig.", "p.", "e.g.", "vs.", "No."); a full
  stop after them never ends a sentence.
- ``REGULAR``: may end a sentence ("et al.", "Co.", "U.S.", "a.m.", "Jr."); they end one when the
  next word is a typical sentence opener (a capitalised function word such as "The" or "How").
- ``TERMINAL``: usually last in a list ("etc."); they end a sentence before any capitalised word.

spaCy's tokenizer exceptions (every entry ending in a full stop) and stop words are the seed;
the scholarly additions below are ours.
"""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lang.en.tokenizer_exceptions import TOKENIZER_EXCEPTIONS

PREFIX, REGULAR, TERMINAL = 1, 2, 3

_PREFIX_WORDS = """
Mr Mrs Ms Mx Dr Drs Prof Profs St Mt Ft Messrs Mmes Rev Revd Hon Gen Gov Sen Rep Capt Col Lt Sgt
Maj Adm Supt Insp Cllr Fr Sra Mme Mlle
Fig Figs fig figs Eq Eqs eq eqs Eqn eqn Ref Refs ref refs Tab tab Tbl Sect Sec sect Ch Chap ch
chap Vol Vols vol vols No Nos Nº N° Nr nr Art Para Paras para paras Pt Pts Appx Suppl
suppl Ed Eds Dept dept Univ univ Inst Assoc Natl Intl Div Hosp Ctr
p pp vs v cf Cf e.g E.g eg i.e I.e ie viz Viz approx Approx appr ca c est Est incl excl esp
resp. aka a.k.a w.r.t
"""
_REGULAR_WORDS = """
al Co co Corp Inc Ltd Plc plc LLC Bros Jr Sr jr sr Esq
a.m p.m A.M P.M
Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun
Ave Blvd Rd Sq Hwy
U.S U.K E.U U.N U.S.A U.S.S.R Ph.D M.D B.A M.A B.Sc M.Sc M.Phil D.Phil R.N
yr yrs mo mos wk wks hr hrs min mins sec secs mth mths pt pts
ibid Ibid op.cit loc.cit
"""
_TERMINAL_WORDS = "etc Etc et.al"

# capitalised words that do not open a sentence even though spaCy lists them as stop words
_NOT_OPENERS = {
    "amount", "bottom", "call", "empty", "front", "full", "move", "name", "part", "serious",
    "side", "top", "us", "used", "using", "via", "per", "made", "ca",
}
_EXTRA_OPENERS = {
    "mr", "mrs", "ms", "dr", "prof", "overall", "finally", "similarly", "likewise", "conversely",
    "consequently", "accordingly", "additionally", "importantly", "notably", "specifically",
    "instead", "despite", "following", "given", "in", "on", "for", "a", "an", "our", "this",
    "these", "those", "that", "there", "it", "its", "we", "they", "he", "she", "i", "you",
    "let", "yes", "no", "thus", "hence", "here",
}

#: lower-cased words that typically open a sentence ("the", "however", "we", "it", "mr", ...)
OPENERS: frozenset[str] = frozenset(
    w for w in (STOP_WORDS | _EXTRA_OPENERS) if w.isalpha() and w not in _NOT_OPENERS
)

#: prepositions that open a time or place phrase ("At 5 a.m. Mr. Smith ...")
FRONTING_PREPOSITIONS: frozenset[str] = frozenset(
    "at by before after until till from since around about on in".split()
)


def _build() -> dict[str, int]:
    table: dict[str, int] = {}
    for key in TOKENIZER_EXCEPTIONS:
        core = key[:-1]
        if key.endswith(".") and len(core) > 1 and core.replace(".", "").isalpha():
            table[key] = REGULAR
    for kind, words in ((REGULAR, _REGULAR_WORDS), (TERMINAL, _TERMINAL_WORDS),
                        (PREFIX, _PREFIX_WORDS)):
        for word in words.split():
            table[word.rstrip(".") + "."] = kind
    return table


#: abbreviation with its full stop ("Fig.", "e.g.", "U.S.") -> PREFIX, REGULAR or TERMINAL
ABBREVIATIONS: dict[str, int] = _build()
