"""Export formats by name: each writer module registers itself, like spaCy's registered parts.

A new format is a new module that decorates its writer::

    @register("csv", extensions=(".csv",), description="comma-separated values")
    def write_csv(table: Table, path: Path) -> None: ...

A format name may have one writer per kind (``svg`` draws a heatmap for an evidence map and a
diagram for a programme theory). Built-in writers are imported on first use; third-party
packages can add theirs through the ``realistcoder.exporters`` entry-point group (each entry
point names a module to import).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from realistcoder.errors import InputError
from realistcoder.files import atomic_output

BUILTIN_MODULES = (
    "csv_writer", "xlsx", "markdown", "html", "docx", "latex", "heatmap", "diagram_writers",
)
ENTRY_POINT_GROUP = "realistcoder.exporters"
TABLE_KINDS = frozenset({"evidence", "cmoc", "map", "documents", "refinement", "gaps",
                         "cooccurrence", "rameses"})


@dataclass(frozen=True)
class Writer:
    """A registered format: its name, file extensions, the table kinds it can write."""

    name: str
    extensions: tuple[str, ...]
    kinds: frozenset[str]
    write: Callable
    description: str = ""


_WRITERS: dict[str, list[Writer]] = {}
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
        writer = Writer(name, tuple(e.lower() for e in extensions), frozenset(kinds), func,
                        description)
        others = [w for w in _WRITERS.get(name, []) if not w.kinds & writer.kinds]
        _WRITERS[name] = [*others, writer]
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
    return sorted(name for name, ws in _WRITERS.items() if any(kind in w.kinds for w in ws))


def get(name: str, kind: str | None = None) -> Writer:
    """The writer registered as ``name`` (for ``kind``, when given and one exists)."""
    _load()
    if name not in _WRITERS:
        raise InputError(
            f"unknown export format {name!r}", fix=f"use one of: {', '.join(sorted(_WRITERS))}"
        )
    writers = _WRITERS[name]
    return next((w for w in writers if kind in w.kinds), writers[0])


def _writers() -> list[Writer]:
    return [w for ws in _WRITERS.values() for w in ws]


def resolve(path: Path, fmt: str | None, kind: str) -> Writer:
    """The writer for ``path``: ``fmt`` when given (it overrides the extension), else the one
    owning the file extension."""
    _load()
    allowed = formats(kind)
    if fmt:  # --format overrides the extension (the CLI notes when they disagree)
        writer = get(fmt.lower(), kind)
    else:
        suffix = path.suffix.lower()
        matches = [w for w in _writers() if suffix in w.extensions and kind in w.kinds]
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
    return next((w.name for w in _writers() if suffix in w.extensions), None)


def write_table(table, path: Path, fmt: str | None = None) -> Writer:
    """Write ``table`` to ``path`` in ``fmt`` (or the extension's format), all or nothing."""
    writer = resolve(path, fmt, table.kind)
    with atomic_output(path) as tmp:
        writer.write(table, tmp)
    return writer
