"""Abbreviations and sentence starters for the sentence splitter, seeded from spaCy's English data.

Three kinds of abbreviation, by what may follow them:

- ``PREFIX``: always followed by something ("Dr.", "Fig.", "p.", "e.g.", "vs.", "No."); a full
  stop after them never ends a sentence.
- ``REGULAR``: may end a sentence ("et al.", "Co.", "U.S.", "a.m.", "Jr."); they end one when the
  next word is a typical sentence opener (a capitalised function word such as "The" or "How").
- ``TERMINAL``: usually last in a list ("etc."); they end a sentence before any capitalised word.

spaCy's English tokenizer exceptions (every entry ending in a full stop) and stop words are the
seed; the scholarly additions below are ours. The seed is kept here as a snapshot, so that the
splitter (and every command that imports it) starts without loading spaCy (about 0.8 s);
:func:`spacy_seed` derives it afresh, and a test checks that the two still agree.
"""

from __future__ import annotations

PREFIX, REGULAR, TERMINAL = 1, 2, 3

# snapshot of spacy_seed() (spaCy 3.8): the tokenizer exceptions ending in a full stop ...
_SPACY_ABBREVIATIONS = """
Adm. Ak. Ala. Apr. Ariz. Ark. Aug. Bros. Calif. Co. Colo. Conn. Corp. D.C. Dec. Del. Dr. E.G.
E.g. Feb. Fla. Ga. Gen. Gov. I.E. I.e. Ia. Id. Ill. Inc. Ind. Jan. Jr. Jul. Jun. Kan. Kans. Ky.
La. Ltd. Mar. Mass. Md. Messrs. Mich. Minn. Miss. Mo. Mont. Mr. Mrs. Ms. Mt. N.C. N.D. N.H. N.J.
N.M. N.Y. Neb. Nebr. Nev. Nov. Oct. Okla. Ore. Pa. Ph.D. Prof. Rep. Rev. S.C. Sen. Sep. Sept.
St. Tenn. Va. Wash. Wis. a.m. co. e.g. i.e. p.m. v.s. vs.
"""
# ... and the alphabetic stop words
_SPACY_STOP_WORDS = """
a about above across after afterwards again against all almost alone along already also although
always am among amongst amount an and another any anyhow anyone anything anyway anywhere are
around as at back be became because become becomes becoming been before beforehand behind being
below beside besides between beyond both bottom but by ca call can cannot could did do does
doing done down due during each eight either eleven else elsewhere empty enough even ever every
everyone everything everywhere except few fifteen fifty first five for former formerly forty
four from front full further get give go had has have he hence her here hereafter hereby herein
hereupon hers herself him himself his how however hundred i if in indeed into is it its itself
just keep last latter latterly least less made make many may me meanwhile might mine more
moreover most mostly move much must my myself name namely neither never nevertheless next nine
no nobody none noone nor not nothing now nowhere of off often on once one only onto or other
others otherwise our ours ourselves out over own part per perhaps please put quite rather re
really regarding same say see seem seemed seeming seems serious several she should show side
since six sixty so some somehow someone something sometime sometimes somewhere still such take
ten than that the their them themselves then thence there thereafter thereby therefore therein
thereupon these they third this those though three through throughout thru thus to together too
top toward towards twelve twenty two under unless until up upon us used using various very via
was we well were what whatever when whence whenever where whereafter whereas whereby wherein
whereupon wherever whether which while whither who whoever whole whom whose why will with within
without would yet you your yours yourself yourselves
"""

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

#: lower-cased function words (spaCy's English stop words): "by", "and", "with", "the", ...
FUNCTION_WORDS: frozenset[str] = frozenset(_SPACY_STOP_WORDS.split())

#: lower-cased words that typically open a sentence ("the", "however", "we", "it", "mr", ...)
OPENERS: frozenset[str] = frozenset(
    w for w in (FUNCTION_WORDS | _EXTRA_OPENERS) if w.isalpha() and w not in _NOT_OPENERS
)

#: prepositions that open a time or place phrase ("At 5 a.m. Mr. Smith ...")
FRONTING_PREPOSITIONS: frozenset[str] = frozenset(
    "at by before after until till from since around about on in".split()
)


def spacy_seed() -> tuple[list[str], list[str]]:
    """The seed as spaCy gives it (imports spaCy): its English tokenizer exceptions that are
    abbreviations with a full stop ("Mr.", "e.g.", "N.Y."), and its alphabetic stop words; both
    sorted. The snapshots above hold the same (``tests/test_segment.py`` checks)."""
    from spacy.lang.en.stop_words import STOP_WORDS
    from spacy.lang.en.tokenizer_exceptions import TOKENIZER_EXCEPTIONS

    abbreviations = sorted(
        key for key in TOKENIZER_EXCEPTIONS
        if key.endswith(".") and len(key) > 2 and key[:-1].replace(".", "").isalpha()
    )
    return abbreviations, sorted(w for w in STOP_WORDS if w.isalpha())


def _build() -> dict[str, int]:
    table = dict.fromkeys(_SPACY_ABBREVIATIONS.split(), REGULAR)
    for kind, words in ((REGULAR, _REGULAR_WORDS), (TERMINAL, _TERMINAL_WORDS),
                        (PREFIX, _PREFIX_WORDS)):
        for word in words.split():
            table[word.rstrip(".") + "."] = kind
    return table


#: abbreviation with its full stop ("Fig.", "e.g.", "U.S.") -> PREFIX, REGULAR or TERMINAL
ABBREVIATIONS: dict[str, int] = _build()
