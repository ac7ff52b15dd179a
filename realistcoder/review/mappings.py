"""Map codes onto levels (individual / organisational / system) and onto the components of a
framework codebook such as COM-B, one by one or from a mapping file.

A mapping file (YAML)::

    codebook: mcp-realist
    levels:
      individual: [t1_willingness, ...]
      system: [t2_aligned_incentives, ...]
    frameworks:
      com-b:
        motivation_reflective: [t1_willingness, ...]

Every code must exist in the latest loaded version of ``codebook``, every component in the
framework codebook (a shipped framework such as ``com-b`` is loaded if it is not yet). The file
is checked in full before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from realistcoder.codebook import codebooks_dir, shipped_codebooks
from realistcoder.codebook.io import load_codebook
from realistcoder.errors import InputError, NotFoundError
from realistcoder.store import attributes as at
from realistcoder.store.codebooks import codebook_by_name, store_codebook
from realistcoder.store.db import Store


def framework_codes(store: Store, name: str) -> tuple[set[str], bool]:
    """The code ids of framework codebook ``name`` (loading the shipped one if needed), and
    whether it was loaded now."""
    try:
        return {c.id for c in codebook_by_name(store, name)[1].codes}, False
    except NotFoundError:
        shipped = next((p for p in shipped_codebooks() if load_codebook(p).name == name), None)
        if shipped is None:
            raise NotFoundError(f"no framework codebook '{name}' is loaded", subject=name,
                                fix="load it first with `realistcoder codebook load FILE`"
                                ) from None
        book = load_codebook(shipped)
        store_codebook(store, book, str(shipped))
        return {c.id for c in book.codes}, True


def shipped_mapping(name: str) -> Path | None:
    """The mapping file shipped for codebook ``name`` (``codebooks/mappings/NAME.yaml``)."""
    path = codebooks_dir() / "mappings" / f"{name}.yaml"
    return path if path.is_file() else None


def codebook_codes(store: Store, name: str) -> set[str]:
    return {c.id for c in codebook_by_name(store, name)[1].codes}


def read_mapping_file(path: Path) -> list[tuple[str, str, str, str]]:
    """(codebook, code, scheme, value) rows of a mapping file; one error names every problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError(f"not a readable YAML mapping file ({err.__class__.__name__})",
                         subject=path, fix="check the file (see codebooks/mappings/)") from None
    if not isinstance(data, dict) or not isinstance(data.get("codebook"), str):
        raise InputError("a mapping file needs 'codebook: NAME' and 'levels' or 'frameworks'",
                         subject=path, fix="see codebooks/mappings/mcp-realist.yaml")
    book, rows = data["codebook"], []
    for level, codes in (data.get("levels") or {}).items():
        rows += [(book, str(c), at.LEVEL, str(level)) for c in codes or []]
    for framework, components in (data.get("frameworks") or {}).items():
        for component, codes in (components or {}).items():
            rows += [(book, str(c), str(framework), str(component)) for c in codes or []]
    return rows


def check_mappings(store: Store, rows: list[tuple[str, str, str, str]]) -> list[str]:
    """Problems with ``rows`` (empty when all can be written); loads shipped frameworks."""
    problems: list[str] = []
    known: dict[str, set[str]] = {}
    for book, code, scheme, value in rows:
        for name in {book} | ({scheme} if scheme != at.LEVEL else set()):
            if name not in known:
                try:
                    known[name] = (codebook_codes(store, name) if name == book
                                   else framework_codes(store, name)[0])
                except NotFoundError as err:
                    problems.append(err.message)
                    known[name] = set()
        if known[book] and code not in known[book]:
            problems.append(f"no code '{code}' in {book}")
        if scheme == at.LEVEL and value not in at.LEVELS:
            problems.append(f"unknown level '{value}' (use {', '.join(at.LEVELS)})")
        elif scheme != at.LEVEL and known[scheme] and value not in known[scheme]:
            problems.append(f"no component '{value}' in {scheme}")
    levels: dict[tuple[str, str], set[str]] = {}
    for book, code, scheme, value in rows:
        if scheme == at.LEVEL:
            levels.setdefault((book, code), set()).add(value)
    problems += [f"{b}:{c} is given {len(v)} levels" for (b, c), v in levels.items()
                 if len(v) > 1]
    return list(dict.fromkeys(problems))


def apply_mappings(store: Store, rows: list[tuple[str, str, str, str]], *,
                   reviewer: str | None = None, source: str | None = None) -> int:
    """Check, then write every row, in one transaction; returns how many were new."""
    with store.transaction():
        problems = check_mappings(store, rows)
        if problems:
            more = f" (and {len(problems) - 6} more)" if len(problems) > 6 else ""
            raise InputError("; ".join(problems[:6]) + more, subject=source or "codebook map",
                             fix="correct the mapping and run it again (nothing was written)")
        return sum(at.set_mapping(store, *row, reviewer=reviewer, source=source)
                   for row in rows)
