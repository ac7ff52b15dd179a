"""Check what a codebook means: ids, theories, parents, terms and spaCy patterns.

:func:`validate` returns every problem (and warning) with the line it comes from; it never stops
at the first one, so an author fixes a codebook in one pass.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from realistcoder.codebook.build import Problem, suggest
from realistcoder.codebook.model import Codebook
from realistcoder.codebook.regex_safety import regex_risk

# single words that would fire on nearly every sentence of a health report
GENERIC_TERMS = frozenset(
    "care health service services staff patient patients people team teams work working "
    "system systems model models new good support time use data need needs".split()
)


@lru_cache(maxsize=1)
def _vocab():
    import spacy

    return spacy.blank("en").vocab


def pattern_error(pattern: list[dict]) -> str | None:
    """Why spaCy's Matcher refuses ``pattern``, or None when it accepts it."""
    from spacy.matcher import Matcher

    matcher = Matcher(_vocab(), validate=True)
    try:
        matcher.add("check", [pattern])
    except Exception as err:  # spaCy raises ValueError, KeyError or MatcherError subclasses
        text = " ".join(str(err).split())
        return text[:300]
    return None


def validate(codebook: Codebook, *, check_patterns: bool = True) -> list[Problem]:
    """Every problem in ``codebook``; warnings have ``Problem.warning`` set."""
    problems: list[Problem] = []
    add = problems.append

    theory_ids = [t.id for t in codebook.theories]
    for tid, n in Counter(theory_ids).items():
        if tid and n > 1:
            add(Problem(None, f"theory id {tid!r} is declared {n} times"))

    first_line: dict[str, int | None] = {}
    for code in codebook.codes:
        if not code.id:
            continue
        if code.id in first_line:
            where = f" (first at line {first_line[code.id]})" if first_line[code.id] else ""
            add(Problem(code.line_of("id"), f"duplicate code id {code.id!r}{where}"))
        else:
            first_line[code.id] = code.line_of("id")

    ids = set(first_line)
    parents = {c.parent for c in codebook.codes if c.parent}
    known_theories = set(theory_ids)
    for code in codebook.codes:
        what = f"code {code.id!r}"
        if code.theory and code.theory not in known_theories:
            declared = ", ".join(theory_ids) or "none declared"
            add(Problem(code.line_of("theory"), f"{what} names unknown theory {code.theory!r}"
                        f"{suggest(code.theory, theory_ids)}; declared: {declared}"))
        if code.parent and code.parent not in ids:
            add(Problem(code.line_of("parent"), f"{what} names unknown parent {code.parent!r}"
                        f"{suggest(code.parent, sorted(ids))}"))
        if code.parent and _in_cycle(codebook, code):
            add(Problem(code.line_of("parent"), f"{what} is its own ancestor (parent cycle)"))
        if code.is_cmo and not code.terms and not code.patterns and code.id not in parents:
            add(Problem(code.line, f"{what} ({code.role}) has no terms and no patterns, so "
                        "nothing can ever propose it: add terms"))
        problems.extend(_term_problems(code))
        problems.extend(regex_problems(code))
        if check_patterns:
            for i, pattern in enumerate(code.patterns):
                error = pattern_error(pattern)
                if error:
                    add(Problem(code.line_of(f"patterns.{i}"),
                                f"pattern {i + 1} of {what} is not a valid spaCy Matcher "
                                f"pattern: {error}"))
    return problems


def regex_problems(code) -> list[Problem]:
    """The ``REGEX`` expressions in ``code``'s patterns that could backtrack for ever (see
    :mod:`realistcoder.codebook.regex_safety`); they are refused, not run with a time limit."""
    out = []
    for i, pattern in enumerate(code.patterns):
        for expression in regexes(pattern):
            risk = regex_risk(expression)
            if risk:
                out.append(Problem(code.line_of(f"patterns.{i}"),
                                   f"pattern {i + 1} of code {code.id!r}: REGEX "
                                   f"{expression!r} could run for ever: {risk}"))
    return out


def regexes(value) -> list[str]:
    """Every ``REGEX`` expression in a spaCy pattern (token dicts, nested operators, ``_``)."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).upper() == "REGEX" and isinstance(inner, str):
                found.append(inner)
            else:
                found += regexes(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            found += regexes(inner)
    return found


def _term_problems(code) -> list[Problem]:
    out = []
    what = f"code {code.id!r}"
    seen: dict[str, int] = {}
    for i, term in enumerate(code.terms):
        key = term.casefold()
        line = code.line_of(f"terms.{i}")
        if key in seen:
            out.append(Problem(line, f"term {term!r} of {what} is listed twice", warning=True))
        seen.setdefault(key, i)
        if key in GENERIC_TERMS:
            out.append(Problem(line, f"term {term!r} of {what} is so generic it will match "
                               "almost every sentence: use a phrase", warning=True))
    for i, term in enumerate(code.exclude):
        if term.casefold() in seen:
            out.append(Problem(code.line_of(f"exclude.{i}"), f"{what} both matches and excludes "
                               f"{term!r}"))
    return out


def _in_cycle(codebook: Codebook, code) -> bool:
    by_id = {c.id: c for c in codebook.codes}
    seen = {code.id}
    current = by_id.get(code.parent)
    while current is not None:
        if current.id in seen:
            return True
        seen.add(current.id)
        current = by_id.get(current.parent) if current.parent else None
    return False
