"""CSV: one header row and every row of every section (the grouping column is in the table).

UTF-8 with a BOM so that Excel detects the encoding; text cells that a spreadsheet would run as
formulas get a leading apostrophe (see :mod:`realistcoder.export.safe`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from realistcoder.export.registry import register
from realistcoder.export.safe import spreadsheet_text, unicode_text
from realistcoder.export.table import Table, text_of


def csv_cell(value: object) -> str | int | float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return spreadsheet_text(unicode_text(text_of(value)))


@register("csv", extensions=(".csv",), description="comma-separated values (Excel, R, pandas)")
def write_csv(table: Table, path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([spreadsheet_text(c.header) for c in table.columns])
        for row in table.rows:
            writer.writerow([csv_cell(table.cell(row, c)) for c in table.columns])
