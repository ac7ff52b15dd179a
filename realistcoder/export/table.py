"""The neutral shape every table writer renders: columns, and rows grouped into sections.

Row builders (``rows``) produce a :class:`Table`; writers (``csv_writer``, ``xlsx``, ...) only
lay it out, so that every format shows exactly the same cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One column: ``key`` into the row dicts, the ``header`` shown, and layout hints.

    ``width`` is a rough width in characters (XLSX column widths, DOCX and LaTeX proportions);
    ``wrap`` marks long free text (quotes, notes); ``numeric`` right-aligns counts and pages;
    ``detail`` columns (file names, ids) stay in the data formats (CSV, XLSX) and are left out
    of the report formats (Markdown, HTML, DOCX, LaTeX); ``optional`` columns (appraisal,
    polarity, characteristics) are left out of the report formats while every cell is empty.
    """

    key: str
    header: str
    width: int = 14
    wrap: bool = False
    numeric: bool = False
    detail: bool = False
    optional: bool = False


@dataclass
class Section:
    """A titled group of rows: a sheet in XLSX, a heading and table in DOCX, HTML, LaTeX, MD."""

    title: str
    rows: list[dict] = field(default_factory=list)


@dataclass
class Table:
    """A report table. ``kind`` is evidence, cmoc, map or documents; ``notes`` go under it."""

    kind: str
    title: str
    columns: list[Column]
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    # the documents the rows cite: (short citation, full reference), for a reference list
    references: list[tuple[str, str]] = field(default_factory=list)

    def report_view(self) -> Table:
        """The table for reading (Markdown, HTML, DOCX, LaTeX): no ``detail`` columns, no
        column repeating the section heading (``extra["group_column"]``), and no column that
        is empty in every row (a blank "Notes" column only takes room from the quotes)."""
        headed = len(self.sections) > 1 or any(s.title != self.title for s in self.sections)
        grouped = self.extra.get("group_column") if headed else None
        rows = self.rows
        columns = [c for c in self.columns if not c.detail and c.key != grouped
                   and (not rows or any(self.cell(r, c) not in (None, [], ()) for r in rows))]
        return Table(self.kind, self.title, columns, self.sections, self.notes, self.extra,
                     self.references)

    def with_columns(self, columns: list[Column]) -> Table:
        return Table(self.kind, self.title, columns, self.sections, self.notes, self.extra,
                     self.references)

    def blocks(self, section: Section, *, chunk: int = 0) -> list[tuple[Table, list[dict]]]:
        """The table(s) a report format draws for ``section``: without the columns empty in
        every row of it, and, with ``chunk``, a matrix wider than ``chunk`` columns of
        ``extra["chunk_prefix"]`` (a narrative map's documents) split into several tables,
        each with the rows that have something in its columns."""
        rows = section.rows
        columns = [c for c in self.columns if not rows or any(
            self.cell(r, c) not in (None, [], ()) for r in rows)] or self.columns
        prefix = self.extra.get("chunk_prefix")
        wide = [c for c in columns if prefix and c.key.startswith(prefix)]
        if not chunk or len(wide) <= chunk:
            return [(self.with_columns(columns), rows)]
        out = []
        for i in range(0, len(wide), chunk):
            part = set(c.key for c in wide[i:i + chunk])
            cols = [c for c in columns if c.key in part or c not in wide]
            keep = [r for r in rows if any(self.cell(r, c) not in (None, [], ())
                                           for c in cols if c.key in part)]
            out.append((self.with_columns(cols), keep))
        return out

    @property
    def rows(self) -> list[dict]:
        """All rows, section after section."""
        return [row for section in self.sections for row in section.rows]

    def cell(self, row: dict, column: Column) -> str | int | float | None:
        value = row.get(column.key)
        return None if value == "" else value


def text_of(value: object) -> str:
    """A cell as text (None → empty); lists are joined one item a line."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "\n".join(text_of(v) for v in value)
    return str(value)
