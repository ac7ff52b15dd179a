"""What fits the screen: its width, names shortened in the middle, progress bars that fit.

A progress bar whose line is wider than the terminal wraps, and then every refresh leaves a
new line behind; so the bar, its counter, its ETA and the current file name are sized to the
terminal's width (80 columns when it cannot be told).
"""

from __future__ import annotations

import shutil
import sys

import click

ETA_WIDTH = 8  # "00:01:23"


def columns() -> int:
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def shorten(text: str, width: int) -> str:
    """``text`` within ``width`` characters: cut in the middle ("long_na…_name.pdf"), keeping
    the end, where a file's extension and distinguishing suffix usually are."""
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    tail = (width - 1) // 2
    if not tail:
        return text[: width - 1] + "…"
    return text[: width - 1 - tail] + "…" + text[len(text) - tail:]


def progress_bar(total: int, label: str, *, items: bool = False):
    """A click progress bar on stderr whose line fits the terminal; with ``items`` the current
    item's name (passed to ``update``) is shown, shortened to the room left. Hidden when
    stderr is not a terminal."""
    width = columns() - 1  # the last column makes some terminals wrap
    counter = 2 * len(str(total)) + 1
    fixed = len(label) + len("  []  ") + counter + 2 + ETA_WIDTH
    room = width - fixed
    bar = max(10, min(20 if items else 30, room - (24 if items else 0)))
    name_room = max(0, room - bar - 2)

    def show(item):
        return shorten(str(item), name_room) if item is not None and name_room >= 8 else None

    return click.progressbar(length=max(total, 1), label=label, file=sys.stderr, show_pos=True,
                             width=bar, item_show_func=show if items else None,
                             hidden=not sys.stderr.isatty())
