"""Refuse codebook regular expressions that can take exponential (or cubic) time.

spaCy runs a pattern's ``REGEX`` with Python's ``re``, which backtracks and cannot be stopped:
``^(a+)+$`` against a token of forty "a"s and a "b" never finishes, and with it ``propose``.
Matching time is not bounded at run time (``re`` offers no timeout and ignores Ctrl-C inside a
match); instead :func:`regex_risk` reads the expression's parse tree and refuses the shapes that
backtrack catastrophically:

* a quantifier over something that holds another quantifier whose characters can also start
  the next round or follow it (``(a+)+``, ``(\\w+\\s?)*``, ``(x*a+)+``): exponential;
* a quantifier over alternatives that can begin with the same character, or match nothing
  (``(a|ab)*``, ``(\\w|\\d)+``): exponential;
* three or more unbounded quantifiers in a row over overlapping characters (``.*.*.*x``):
  polynomial of degree three or more.

Possessive quantifiers (``a++``) and atomic groups never backtrack and are always accepted.
Characters are compared on a sample alphabet (ASCII printable and a few others), so the check
is approximate: it may refuse a harmless expression, never knowingly a catastrophic one of the
shapes above. Tokens are at most 5,000 characters (a sentence's maximum length), which keeps
quadratic expressions fast enough.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

try:  # Python 3.11+: the parser ``re`` compiles with
    from re import _constants as C  # noqa: N812
    from re import _parser as parser
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as C  # noqa: N812
    import sre_parse as parser

SAMPLE = frozenset(string.printable + "\u00e9\u00df\u00fc\u4e2d\u00a0\u2013\u2014\u2019_")
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_CATEGORY_TESTS = {
    C.CATEGORY_DIGIT: str.isdigit,
    C.CATEGORY_SPACE: str.isspace,
    C.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    C.CATEGORY_LINEBREAK: lambda c: c == "\n",
}


@lru_cache(maxsize=512)
def regex_risk(expression: str) -> str | None:
    """Why ``expression`` can backtrack catastrophically, or None when it cannot (as far as
    the checks above tell). An expression ``re`` cannot compile is None: spaCy reports it."""
    try:
        tree = list(parser.parse(expression))
    except (re.error, RecursionError, OverflowError):
        return None
    try:
        return _Walk().sequence(tree, frozenset(), inside_repeat=False)
    except RecursionError:
        return "it nests too deeply to check"


class _Walk:
    def sequence(self, items: list, follow: frozenset, *, inside_repeat: bool) -> str | None:
        """Check ``items`` (what may come after them starts with ``follow``)."""
        polynomial = _polynomial(items)
        if polynomial:
            return polynomial
        for k, (op, av) in enumerate(items):
            after = _first(items[k + 1:]) | (follow if _nullable(items[k + 1:]) else frozenset())
            risk = self.item(op, av, after, inside_repeat=inside_repeat)
            if risk:
                return risk
        return None

    def item(self, op, av, follow: frozenset, *, inside_repeat: bool) -> str | None:
        if op == C.SUBPATTERN:
            return self.sequence(list(av[-1]), follow, inside_repeat=inside_repeat)
        if op in (C.ASSERT, C.ASSERT_NOT):
            return self.sequence(list(av[1]), frozenset(), inside_repeat=inside_repeat)
        if op == C.BRANCH:
            alternatives = [list(a) for a in av[1]]
            if inside_repeat and _alternatives_overlap(alternatives):
                return ("a repeated group offers alternatives that can match the same text "
                        "(exponential backtracking); make them start differently")
            for alt in alternatives:
                risk = self.sequence(alt, follow, inside_repeat=inside_repeat)
                if risk:
                    return risk
            return None
        if op in _REPEATS:
            low, high, body = av[0], av[1], list(av[2])
            if inside_repeat and low != high and _chars(body) & follow:
                return ("a quantifier inside a repeated group can trade characters with what "
                        "follows it, as in (a+)+ (exponential backtracking); use a possessive "
                        "quantifier (a++) or drop the nesting")
            repeats = high > 1
            again = _first(body) if repeats else frozenset()
            if repeats and _nullable(body) and high == C.MAXREPEAT and _has_repeat(body):
                return ("a repeated group can match nothing, as in (a*)* (exponential "
                        "backtracking); drop the nesting")
            return self.sequence(body, follow | again, inside_repeat=inside_repeat or repeats)
        return None  # literals, sets, anchors, possessive repeats, atomic groups


def _polynomial(items: list) -> str | None:
    """Three or more unbounded quantifiers in a row over characters they share."""
    run, shared = 0, frozenset()
    for op, av in items:
        if op in _REPEATS and av[1] == C.MAXREPEAT:
            chars = _chars(list(av[2]))
            if run and chars & shared:
                run, shared = run + 1, chars & shared
            else:
                run, shared = 1, chars
            if run >= 3:
                return ("three or more unbounded quantifiers in a row match the same characters "
                        "(as in .*.*.*x: the time grows with the cube of the token's length); "
                        "merge them")
        elif not _nullable([(op, av)]) and not (_first([(op, av)]) & shared):
            run, shared = 0, frozenset()
    return None


def _alternatives_overlap(alternatives: list[list]) -> bool:
    firsts = []
    for alt in alternatives:
        if _nullable(alt):
            return True
        first = _first(alt)
        if any(first & other for other in firsts):
            return True
        firsts.append(first)
    return False


def _has_repeat(items: list) -> bool:
    for op, av in items:
        if op in _REPEATS or op == C.POSSESSIVE_REPEAT:
            return True
        if op == C.SUBPATTERN and _has_repeat(list(av[-1])):
            return True
        if op == C.BRANCH and any(_has_repeat(list(a)) for a in av[1]):
            return True
    return False


def _nullable(items: list) -> bool:
    """Whether ``items`` can match the empty string."""
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue
        if op in _REPEATS or op == C.POSSESSIVE_REPEAT:
            if av[0] == 0 or _nullable(list(av[2])):
                continue
            return False
        if op in (C.SUBPATTERN, C.ATOMIC_GROUP):
            if _nullable(list(av[-1])):
                continue
            return False
        if op == C.BRANCH:
            if any(_nullable(list(a)) for a in av[1]):
                continue
            return False
        if op == C.GROUPREF:
            continue
        return False
    return True


def _first(items: list) -> frozenset:
    """Sample characters a match of ``items`` can begin with."""
    out: set = set()
    for op, av in items:
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF):
            continue
        if op in _REPEATS or op == C.POSSESSIVE_REPEAT:
            out |= _first(list(av[2]))
            if av[0] == 0 or _nullable(list(av[2])):
                continue
            return frozenset(out)
        if op in (C.SUBPATTERN, C.ATOMIC_GROUP):
            out |= _first(list(av[-1]))
            if _nullable(list(av[-1])):
                continue
            return frozenset(out)
        if op == C.BRANCH:
            for alt in av[1]:
                out |= _first(list(alt))
            if any(_nullable(list(a)) for a in av[1]):
                continue
            return frozenset(out)
        out |= _leaf(op, av)
        return frozenset(out)
    return frozenset(out)


def _chars(items: list) -> frozenset:
    """Sample characters a match of ``items`` can contain anywhere."""
    out: set = set()
    for op, av in items:
        if op in _REPEATS or op == C.POSSESSIVE_REPEAT:
            out |= _chars(list(av[2]))
        elif op in (C.SUBPATTERN, C.ATOMIC_GROUP):
            out |= _chars(list(av[-1]))
        elif op == C.BRANCH:
            for alt in av[1]:
                out |= _chars(list(alt))
        elif op not in (C.AT, C.ASSERT, C.ASSERT_NOT, C.GROUPREF):
            out |= _leaf(op, av)
    return frozenset(out)


def _leaf(op, av) -> frozenset:
    """Sample characters one single-character item matches."""
    if op == C.LITERAL:
        return frozenset({chr(av)})
    if op == C.NOT_LITERAL:
        return SAMPLE - {chr(av)}
    if op == C.ANY:
        return SAMPLE - {"\n"}
    if op == C.IN:
        return _in(av)
    return SAMPLE  # anything unknown: assume it matches everything


def _in(items) -> frozenset:
    negate = False
    out: set = set()
    for op, av in items:
        if op == C.NEGATE:
            negate = True
        elif op == C.LITERAL:
            out.add(chr(av))
        elif op == C.RANGE:
            out |= {c for c in SAMPLE if av[0] <= ord(c) <= av[1]}
        elif op == C.CATEGORY:
            out |= _category(av)
        else:
            out |= SAMPLE
    return frozenset(SAMPLE - out if negate else out)


def _category(code) -> set:
    name = str(code)
    for base, test in _CATEGORY_TESTS.items():
        plain = str(base).replace("CATEGORY_", "")
        if name.endswith(f"NOT_{plain}"):
            return {c for c in SAMPLE if not test(c)}
        if name.endswith(plain):
            return {c for c in SAMPLE if test(c)}
    return set(SAMPLE)
