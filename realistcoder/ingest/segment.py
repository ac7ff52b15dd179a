"""Sentence segmentation for scholarly text, as exact character offsets.

``split_sentences(text)`` returns ``(start, end)`` pairs: ``text[start:end]`` is one sentence with
no surrounding whitespace; the pairs are in order, never overlap, and together cover every
non-space character of ``text``.

How it decides (rules first, then the few exceptions):

- A sentence ends at ``.``, ``!``, ``?`` or an ellipsis (with any closing quotes, brackets or
  citation numbers after it: "outcomes.12,13", "trough.”") when whitespace and a capitalised
  word, a number or an opening quote follow. A lowercase word or an opening bracket after the
  mark keeps the sentence going ("'Great.' she said", "(Smith et al., 2019)"), unless the
  bracket holds a sentence or a list label ("(See Appendix D.)", "(B) Costs").
- Abbreviations come from spaCy's English tokenizer exceptions plus a scholarly list
  (:mod:`realistcoder.ingest.abbreviations`): "Fig.", "p.", "e.g.", "vs." never end a sentence;
  "et al.", "U.S.", "Co.", "a.m." end one only before a typical sentence opener ("The", "How");
  initials ("J. R. Smith", "by A. Patel") likewise, but a capital after a lowercase content word
  ("in group A. Patients") ends the sentence; list markers ("1.", "a.", "2.)", "• 9.") at the
  start of a sentence and caption labels ("Table 2.") never do.
- Layout (:mod:`realistcoder.ingest.segment_layout`): a blank line always ends a sentence; a
  single newline is a space, except before a list item line (bullet, "1.", "(a)", "-") that
  follows a colon, a full stop or another item, and after a heading line (short, no closing
  punctuation, at the start of a block, followed by a capitalised line). Bullets ("•", "▪", "⁃")
  start a new sentence anywhere; so do numbered or lettered items that continue a sequence
  inline ("1. The first 2. The second", "a) one b) two") while the sentence before them is
  itself an item (after "as in case 1. In site 2." the "2." is a number).

Everything runs on compiled regular expressions over the string and a few table look-ups (no
tokenizer pass, no spaCy objects; importing this module does not load spaCy), so it is fast
enough to segment whole corpora; a text with no candidate boundary costs one regex search.
:func:`spacy_pipeline` gives a spaCy ``Language`` whose ``doc.sents`` follow the same rules.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache

from realistcoder.ingest.abbreviations import (
    ABBREVIATIONS,
    FRONTING_PREPOSITIONS,
    FUNCTION_WORDS,
    OPENERS,
    PREFIX,
    REGULAR,
)
from realistcoder.ingest.segment_layout import (
    BULLETS,
    CLOSERS,
    OPEN_QUOTES,
    TERMINAL_CHARS,
    has_bullet,
    layout_cuts,
)

__all__ = ["Segmenter", "split_sentences", "sentences", "spacy_pipeline"]

_LEADING_PUNCT = OPEN_QUOTES + "([{"
_CURRENCY = "$\u00a3\u20ac\u00a5"

# a terminal mark: spaced or plain ellipsis, "…", a run of .!?, or "." + citation digits
# ("admissions.12,13 However", "important.35 36 A"); then closing quotes/brackets; then
# whitespace
# (groups: the mark; what follows the whitespace after it: a character that can open a
# sentence (a letter that is not ASCII lowercase, a digit, an opening quote or bracket, a
# bullet, a currency sign) or the first letters of a camel-case word such as "mHealth"; the
# final mark of the text is left out of the scan).
# A mark followed by anything else ("e.g. the", "Yahoo! in", "al., 2019") never ends a
# sentence, so it is not even a candidate.
_MARK = re.compile(
    # (the lookbehinds start a match only at the first mark of a run, "...." or ". . .":
    # trying again inside a long run would rescan it from every position, in quadratic time)
    # (a mark that is not followed by whitespace, another mark, a digit or a closer is no
    # candidate: the first lookahead rejects "U.S.A", "example.com" at once; the possessive
    # repeats do not backtrack where no shorter run could match)
    r"([.!?\u2026\u203d](?=[\s\d.!?\u2026\u203d" + re.escape(CLOSERS) + r"])"
    r"(?<![.!?\u2026\u203d]{2})(?<!\. [.!?\u2026\u203d])"
    # (citation digits: "outcomes.12,13", "bouts).13"; not the decimals of "100.00")
    r"(?:(?: ?\.){2,}+|[.!?\u203d\u2026]*+|(?<!\d\.)\d{1,3}(?:[, \u2013-]\d{1,3})*))"
    r"[" + re.escape(CLOSERS) + r"]*+"
    r"(?=\s++([^\W_a-z]|[(" + re.escape(OPEN_QUOTES + BULLETS + _CURRENCY) + r"]|[a-z]++[A-Z]))"
)
_NONSPACE = re.compile(r"\S")
_YEAR_VOLUME = re.compile(r"(?:1[89]|20)\d\d[;:(]")
_ITEM_OPENERS = "\"\u201c("
_CITED = ")]\"'\u2019\u201d"  # "...(in bouts).13 The": citation digits after a bracket or quote
_PRONOUN_I = ("I ", "I\u2019", "I'")
_LIST_LEAD = " \t\n\r\f-\u2013*" + BULLETS
# a sentence so far that is only a list marker ("1.", "2.1.", "(a)", "iv.", "2.)") or a
# caption label ("Table 2.", "Figure S1.")
_MARKER_ONLY = re.compile(
    r"\s*[" + BULLETS + r"\-\u2013\u2014*]?\s*"
    r"(?:\(?(?:\d{1,3}(?:\.\d{1,3})*|[A-Za-z]|[ivxlcIVXLC]{1,5})[.)]{1,2}"
    r"|(?:Table|Figure|Fig\.|Box|Panel|Appendix|Exhibit|Chart|Supplementary\s+(?:Table|Figure))"
    r"\s+[A-Z]?\d{1,3}[a-z]?\.)"
)
# a sentence that opens with a list label ("1.", "2.)", "(b)", "• 3.")
_ITEM_START = re.compile(r"[" + BULLETS + r"\-\u2013*]?\s*\(?(?:\d{1,3}|[A-Za-z])[.)]")
_LABEL_LEAD = BULLETS + "-\u2013\u2014*("
_ROMAN = "ivxlcIVXLC"
_WORD_PUNCT = ".,;:!?)]}\"'\u2019\u201c\u201d\u2018"
_MULTI_PERIOD = re.compile(r"(?:[A-Za-z]{1,3}\.){2,}")
_LOOKBACK = 64
_NEVER = sys.maxsize  # ends the list of layout cuts
_NO_CUTS = (_NEVER,)
# the last three characters before the full stop of the longer abbreviations ("Fig." -> "Fig",
# "approx." -> "rox"): a word ending otherwise in three letters is no abbreviation
_TAILS = frozenset(a[-4:-1] for a in ABBREVIATIONS if len(a) >= 4)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the sentences of ``text``, in order; see the module docstring."""
    if not isinstance(text, str):
        return []
    end = len(text.rstrip())
    if not end:
        return []
    cur = _NONSPACE.search(text).start() if text[0].isspace() else 0  # the sentence's start
    # the final full stop ends the last sentence anyway: leave it out of the scan
    stop = end - 1 if text[end - 1] in TERMINAL_CHARS else end
    search = _MARK.search
    m = search(text, cur, stop)
    if "\n" in text or "1) " in text or "a) " in text or (
        not text.isascii() and has_bullet(text)
    ):
        forced = layout_cuts(text)
        forced.append(_NEVER)
    elif m is None:
        return [(cur, end)]  # fast path: no candidate boundary, no layout cue
    else:
        forced = _NO_CUTS
    spans: list[tuple[int, int]] = []
    fi = 0  # the next layout cut is forced[fi]
    items = None  # an open inline list: its style -> the next label expected
    while m is not None:
        # (spans of the whole match (the mark and its closers), the mark, the next non-space)
        (ms, me), (_, mark_end), (j, _) = m.regs
        m = search(text, me, stop)
        if forced[fi] <= ms:
            cur, fi = _apply_forced(text, forced, fi, ms, cur, spans)
        c = text[ms]
        nc = text[j]  # "mHealth": the scan lets a lowercase letter through only there
        if c == "." and mark_end - ms == 1:
            if nc.isupper() and ms - cur > 5:
                # fast path for "... a word. The" and "... [12]. The"
                w = text[ms - 3 : ms]
                if w not in _TAILS and (w.isalpha() or w[2] in ")]"):
                    spans.append((cur, me))
                    cur = j
                    continue
            # an inline list starts at "1." or "a." and goes on while one is open
            if (items or text[ms - 1] in "1a") and (
                nc.isupper() or nc.isdigit() or nc in _ITEM_OPENERS
            ):
                if items is None:
                    items = {}
                cur = _list_item(text, ms, text[mark_end:me], cur, items, spans)
            if ms - cur <= 6:
                label = text[cur:ms].lstrip(_LIST_LEAD)
                if len(label) <= 1 or (len(label) <= 3 and label.isdigit()):
                    continue  # "1.", "a.", "12.", "• 9." opening a sentence: a list marker
            cut = _full_stop(text, ms, me, cur, j, nc)
        elif c in "!?\u203d":  # "Hello!! Long", "Yahoo! in", "Hello?! Is"
            if nc.isupper() or _opens_sentence(text, j, nc):
                spans.append((cur, me))
                cur = j
            continue
        else:
            cut = _other_mark(text, text[ms:mark_end], ms, me, cur, j, nc)
        if cut > cur:
            spans.append((cur, cut))
            cur = j if cut == me else _NONSPACE.search(text, cut).start()
    if forced[fi] != _NEVER:
        cur, fi = _apply_forced(text, forced, fi, len(text), cur, spans)
    if end > cur:
        spans.append((cur, end))
    return spans


def _list_item(
    text: str, ms: int, closers: str, cur: int, items: dict[str, int],
    spans: list[tuple[int, int]],
) -> int:
    """Handle "2." (or "b.", "2.)") at ``ms`` when it continues an inline list started by "1."
    ("1. The first item 2. The second item"), and "1." after a colon ("two aims: 1. Map"):
    close the sentence before it and return the new sentence start; otherwise return ``cur``."""
    c = text[ms - 1 : ms]
    if c.isdecimal():
        q = ms - 2 if ms >= 2 and text[ms - 2].isdecimal() else ms - 1
        key, value = "d", int(text[q:ms])
    elif "a" <= c <= "z":
        q = ms - 1
        key, value = "l", ord(c) - 96
    else:
        return cur
    if q > 0 and not (text[q - 1].isspace() or text[q - 1] in BULLETS):
        return cur
    if closers:  # "1.)" is another style than "1."
        key += closers
    if items.get(key) == value:
        if q > cur and _ITEM_START.match(text, cur) is None:
            # "1. Aims ... as in case 1. In site 2. The team": an item goes on only while
            # the sentence is itself an item; after a full sentence "2." is just a number
            return cur
        items[key] = value + 1
    elif value == 1:
        if q == cur or (q - cur < 8 and not text[cur:q].strip(_LIST_LEAD)):  # "• 1. The"
            items[key] = 2
            return cur
        if not text[q - 4 if q > 4 else 0 : q].rstrip().endswith(":"):
            return cur  # "... rose from 1. The next": no list unless after a colon
        items[key] = 2
    else:
        return cur
    if q > cur:
        spans.append((cur, cur + len(text[cur:q].rstrip())))
        return q
    return cur


def _apply_forced(
    text: str, forced: list[int], fi: int, upto: int, cur: int, spans: list[tuple[int, int]]
) -> tuple[int, int]:
    """Close the sentence at each layout cut in ``forced[fi:]`` up to ``upto``; return the new
    sentence start and index."""
    while forced[fi] <= upto:  # (forced ends with _NEVER)
        f = forced[fi]
        fi += 1
        if f <= cur:
            continue
        end = cur + len(text[cur:f].rstrip())
        nxt = _NONSPACE.search(text, f)
        if end > cur:
            spans.append((cur, end))
        cur = nxt.start() if nxt is not None else len(text)
    return cur, fi


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[s:e] for s, e in split_sentences(text)]


class Segmenter:
    """Batch front end: ``Segmenter().split_many(texts)`` yields one offset list per text."""

    def split(self, text: str) -> list[tuple[int, int]]:
        return split_sentences(text)

    def split_many(self, texts: Iterable[str]) -> Iterator[list[tuple[int, int]]]:
        for text in texts:
            yield split_sentences(text)


# --- the decision at one terminal mark -----------------------------------------------------


def _full_stop(text: str, ms: int, me: int, cur: int, j: int, nc: str) -> int:
    """Where the sentence ends if the full stop at ``ms`` (closers up to ``me``) ends it, else -1.

    ``nc = text[j]`` is the next non-space character; ``cur`` where the sentence starts.
    """
    lo = ms - _LOOKBACK if ms - _LOOKBACK > cur else cur
    space = text.rfind(" ", lo, ms)
    tok = text[space + 1 if space >= 0 else lo : ms + 1]
    if not tok.isprintable():  # a newline, tab or no-break space in it
        tok = tok.split()[-1]
    if tok[0] in _LEADING_PUNCT:
        tok = tok.lstrip(_LEADING_PUNCT)
    kind = ABBREVIATIONS.get(tok)
    if kind is None:
        n = len(tok)
        if n == 2:
            kind = _letter_kind(text, tok[0], ms, cur)
        elif n > 3 and "." in tok[:-1] and _MULTI_PERIOD.fullmatch(tok) is not None:
            kind = REGULAR  # "U.S.A.", "Ph.D."
        else:
            kind = 0
    elif kind == PREFIX:
        return -1
    if nc.isupper():
        pass
    elif nc.isdigit() or nc in _CURRENCY or nc.islower():  # lowercase: only "mHealth"
        if kind or _marker_only(text, cur, me, tok) or (
            nc in "12" and _YEAR_VOLUME.match(text, j) is not None
        ):
            return -1  # "Acute Med. 2012;11(1):13-7" in a reference
        return me
    elif nc in OPEN_QUOTES:
        after = text[j + 1 : j + 2]
        if not after or after.islower():
            return -1
    elif nc in BULLETS:
        return me
    elif nc == "(":  # "(Smith et al., 2019)" goes on; "(See Appendix D.)" is a sentence
        return me if kind == 0 and _paren_sentence(text, j) else -1
    elif not nc.isalpha():  # "[", ",", "-": the sentence goes on
        return -1
    if kind == REGULAR:
        # end only before a typical sentence opener ...
        word = text[j : j + 20].split(None, 1)[0].strip(_WORD_PUNCT).lower()
        if word not in OPENERS:
            return -1
        # ... and not after a short fronted phrase ("At 5 a.m. Mr. Smith went")
        if ms - cur < 40 and text.count(" ", cur, ms) <= 3:
            space = text.find(" ", cur, ms)
            if space > 0 and text[cur:space].lower() in FRONTING_PREPOSITIONS:
                return -1
    if ms - cur > 12 and not (ms - cur < 40 and tok[0].isdigit()):
        return me
    return -1 if _marker_only(text, cur, me, tok) else me


def _marker_only(text: str, cur: int, me: int, tok: str) -> bool:
    """Is the sentence so far only a list marker ("2.", "(b).", "iv.") or a caption label?
    ``tok`` is its last token, with the full stop."""
    core = tok[:-1]
    last = core[-1:]
    if not (last.isdigit() or last == ")" or (last.isalpha() and core[-2:-1].isdigit())):
        label = core.lstrip(_LABEL_LEAD)
        if len(label) > 1 and label.strip(_ROMAN):
            return False  # it ends in a word ("item.", "Design."), not in a label
    return _MARKER_ONLY.fullmatch(text, cur, me) is not None


def _other_mark(text: str, mark: str, ms: int, me: int, cur: int, j: int, nc: str) -> int:
    """Like :func:`_full_stop` for ellipses and "." + citation digits."""
    first = mark[0]
    second = mark[1:2]
    if second.isdigit():  # "admissions.12 However": citation digits after the full stop
        if first != "." or not nc.isupper():
            return -1
        before = text[ms - 2 : ms] if ms >= 2 else ""
        if (before and before[-1] in _CITED) or (
            len(before) == 2 and before.isalpha()
            and ABBREVIATIONS.get(_token_before(text, ms, cur)) is None
        ):
            return me
        return -1
    return _ellipsis(text, mark, ms, me, j, nc)


def _opens_sentence(text: str, j: int, nc: str) -> bool:
    """After "!" or "?": a capital, digit, quote + capital or bullet opens a new sentence."""
    if nc.islower():
        return True  # the scan lets a lowercase letter through only in "mHealth" and the like
    if nc == "(":
        return _paren_sentence(text, j)
    if nc in OPEN_QUOTES:
        after = text[j + 1 : j + 2]
        return bool(after) and not after.islower()
    return nc.isalnum() or nc in BULLETS or nc in _CURRENCY


def _ellipsis(text: str, mark: str, ms: int, me: int, j: int, nc: str) -> int:
    if ms > 0 and text[ms - 1] in "[(\u201c\u2018":
        return -1  # "[...]" marks an omission inside a quotation, "\u201c... I" one at its start
    upper = nc.isupper() or (nc in OPEN_QUOTES and text[j + 1 : j + 2].isupper())
    if not upper:
        return -1
    if " " not in mark:
        if len(mark) < 4 and text[j : j + 2] in _PRONOUN_I:
            return -1  # "I was... I didn't know": a hesitation in speech
        return me  # "that.... She", "that... She"
    if mark.count(".") < 4:
        return -1  # ". . . I didn't": an omission mid-sentence
    if ms > 0 and not text[ms - 1].isspace():
        return ms + 1  # "compounds. . . . The": the full stop ends it, ". . ." opens the next
    return me  # "a period . . . . Next"


def _paren_sentence(text: str, j: int) -> bool:
    """Does the bracket at ``j`` open a sentence: one inside it ("(See Appendix D.)") or a list
    item ("(B) Patient statistics")?"""
    close = text.find(")", j, j + 400)
    if close < 0:
        return False
    if close - j <= 4:  # "(B) Patient", "(2) Staff", "(iv) Costs"
        return text[j + 1 : close].isalnum() and text[close + 1 : close + 3][-1:].isupper()
    return (
        text[j + 1].isupper()
        and text[close - 1] in TERMINAL_CHARS
        and "(" not in text[j + 1 : close]
    )


def _token_before(text: str, ms: int, cur: int) -> str:
    """The whitespace-delimited token ending at ``ms`` ("" after a long run of spaces)."""
    lo = ms - _LOOKBACK if ms - _LOOKBACK > cur else cur
    space = text.rfind(" ", lo, ms)
    tok = text[space + 1 if space >= 0 else lo : ms + 1]
    if tok.isprintable() and tok[-1:] not in ("", " "):  # (no newline, tab, odd space in it)
        return tok
    parts = text[lo : ms + 1].rsplit(None, 1)
    return parts[-1] if parts else ""


def _letter_kind(text: str, c: str, ms: int, cur: int) -> int:
    """Kind of a one-letter token "X." at ``ms - 1``: capitals are initials ("J. R. Smith",
    "by A. Patel"), except the pronoun ("you and I.") and a label after a lowercase content
    word ("group A.", "vitamin D.", "arm B."); lowercase letters are words (or list markers)."""
    if not c.isupper():
        return 0
    if ms - 2 > cur:
        before = _token_before(text, ms - 3, cur)  # (ms - 2 is the space before "A.")
        if before[:1].islower():
            if c == "I":
                return 0  # "you and I." is the pronoun; "Albert I. Jones" an initial
            if before.isalpha() and before.islower() and before not in FUNCTION_WORDS:
                return 0  # "in group A. Patients were": a label ending the sentence
    return REGULAR


# --- spaCy ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def spacy_pipeline():
    """A blank English spaCy pipeline (loaded once per process) whose ``doc.sents`` follow
    :func:`split_sentences`."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory("realistcoder_sentences"):
        Language.component("realistcoder_sentences", func=_set_sentence_starts)
    nlp = spacy.blank("en")
    nlp.add_pipe("realistcoder_sentences")
    return nlp


def _set_sentence_starts(doc):
    starts = {s for s, _ in split_sentences(doc.text)}
    for token in doc:
        token.is_sent_start = token.i == 0 or token.idx in starts
    return doc
