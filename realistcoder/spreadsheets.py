"""Reading spreadsheets that people filled in (.xlsx): errors in one line, formulas refused.

openpyxl parses a sheet's XML only while its rows are read, so a damaged workbook (an XML
entity trick, a truncated part) fails there, not when it is opened: :func:`reading_workbook`
turns every such failure into one :class:`InputError`. :func:`sheet_values` reads the values
and lists the cells that hold formulas: their value is a stale cache, or nothing when a tool
other than Excel saved the file, never what the reviewer saw, so importers refuse them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from realistcoder.errors import InputError, RealistCoderError


@contextmanager
def reading_workbook(path: Path, *, data_only: bool = False) -> Iterator[object]:
    """An openpyxl workbook (read-only) whose failures, opening or reading, are InputErrors."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=data_only)
    except Exception as err:  # openpyxl raises many kinds for a bad file
        raise _unreadable(path, err) from err
    try:
        yield workbook
    except RealistCoderError:
        raise
    except Exception as err:  # the sheet's XML is parsed while its rows are read
        raise _unreadable(path, err) from err
    finally:
        workbook.close()


def _unreadable(path: Path, err: Exception) -> InputError:
    detail = " ".join(str(err).split())[:120]
    return InputError(f"cannot read the workbook ({type(err).__name__}: {detail})",
                      subject=path, fix="save it again from Excel as .xlsx")


def sheet_values(sheet) -> tuple[list[list], list[str]]:
    """The sheet's rows of values (None as ""), and "row N, column NAME: =FORMULA" for every
    cell holding a formula (read the workbook with ``data_only=False`` to see them)."""
    table: list[list] = []
    formulas: list[str] = []
    header: list[str] = []
    for number, row in enumerate(sheet.iter_rows(), 1):
        table.append(["" if c.value is None else c.value for c in row])
        if number == 1:
            header = [str(v).strip() for v in table[0]]
        for k, cell in enumerate(row):
            if getattr(cell, "data_type", None) == "f":
                column = header[k] if k < len(header) and header[k] else f"{k + 1}"
                formulas.append(f"row {number}, column {column}: {str(cell.value)[:60]}")
    return table, formulas
