"""Export formats by name: each writer module registers itself, like spaCy's registered parts.

A new format is a new module that decorates its writer::

    @register("csv", extensions=(".csv",), description="comma-separated values")
    def write_csv(table: Table, path: Path) -> None: ...

Built-in writers are imported on first use; third-party packages can add theirs through the
``realistcoder.exporters`` entry-point group (each entry point names a module to import).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from realistcoder.errors import InputError
from realistcoder.files import atomic_output

BUILTIN_MODULES = (
    "csv_writer", "xlsx", "markdown", "html", "docx", "latex", "heatmap",
)
ENTRY_POINT_GROUP = "realistcoder.exporters"
TABLE_KINDS = frozenset({"evidence", "cmoc", "map", "documents"})


@dataclass(frozen=True)
class Writer:
    """A registered format: its name, file extensions, the table kinds it can write."""

    name: str
    extensions: tuple[str, ...]
    kinds: frozenset[str]
    write: Callable
    description: str = ""


_WRITERS: dict[str, Writer] = {}
_loaded = False


def register(
    name: str,
    *,
    extensions: tuple[str, ...],
    kinds: frozenset[str] | set[str] = TABLE_KINDS,
    description: str = "",
) -> Callable[[Callable], Callable]:
    """Decorator: make ``write(table, path)`` available as format ``name``."""

    def decorate(func: Callable) -> Callable:
        _WRITERS[name] = Writer(
            name, tuple(e.lower() for e in extensions), frozenset(kinds), func, description
        )
        return func

    return decorate


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from importlib.metadata import entry_points  # ~20 ms: only when an export runs

    for module in BUILTIN_MODULES:
        importlib.import_module(f"realistcoder.export.{module}")
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        entry.load()


def formats(kind: str) -> list[str]:
    """Names of the formats that can write tables of ``kind``."""
    _load()
    return sorted(name for name, w in _WRITERS.items() if kind in w.kinds)


def get(name: str) -> Writer:
    _load()
    try:
        return _WRITERS[name]
    except KeyError:
        raise InputError(
            f"unknown export format {name!r}", fix=f"use one of: {', '.join(sorted(_WRITERS))}"
        ) from None


def resolve(path: Path, fmt: str | None, kind: str) -> Writer:
    """The writer for ``path``: ``fmt`` when given (it overrides the extension), else the one
    owning the file extension."""
    _load()
    allowed = formats(kind)
    if fmt:
        writer = get(fmt.lower())
    else:
        suffix = path.suffix.lower()
        matches = [w for w in _WRITERS.values() if suffix in w.extensions and kind in w.kinds]
        if not matches:
            raise InputError(
                f"cannot tell the export format from the extension {suffix or '(none)'!r}",
                subject=path,
                fix=f"use one of the extensions of {', '.join(allowed)}, or pass --format",
            )
        writer = matches[0]
    if kind not in writer.kinds:
        raise InputError(
            f"format {writer.name!r} cannot write a {kind} table",
            subject=path,
            fix=f"use one of: {', '.join(allowed)}",
        )
    return writer


def extension_format(path: Path) -> str | None:
    """The format whose writer owns ``path``'s extension, if any."""
    _load()
    suffix = Path(path).suffix.lower()
    return next((w.name for w in _WRITERS.values() if suffix in w.extensions), None)


def write_table(table, path: Path, fmt: str | None = None) -> Writer:
    """Write ``table`` to ``path`` in ``fmt`` (or the extension's format), all or nothing."""
    writer = resolve(path, fmt, table.kind)
    with atomic_output(path) as tmp:
        writer.write(table, tmp)
    return writer
