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

    def report_view(self) -> Table:
        """The table for reading (Markdown, HTML, DOCX, LaTeX): no ``detail`` columns, and no
        column repeating the section heading (``extra["group_column"]``)."""
        headed = len(self.sections) > 1 or any(s.title != self.title for s in self.sections)
        grouped = self.extra.get("group_column") if headed else None
        rows = self.rows
        columns = [c for c in self.columns if not c.detail and c.key != grouped and not (
            c.optional and all(self.cell(r, c) in (None, [], ()) for r in rows))]
        return Table(self.kind, self.title, columns, self.sections, self.notes, self.extra)

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
