"""Evidence-map heatmaps (matplotlib, no display needed): documents down, codes or areas across.

PNG for slides, SVG for reports (its text stays text, so labels can be edited); each cell shows
its count, darker for more evidence. A map by code draws one panel per theory, stacked, so the
picture stays readable however many codes the codebook has; long labels wrap instead of being
cut.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Table, text_of

ROW_LABEL = 34  # characters a line of a document label
COLUMN_LABEL = 18  # characters a line of a code label
LABEL_LINES = 3


def wrap(text: str, width: int, lines: int = LABEL_LINES) -> str:
    """``text`` on at most ``lines`` lines of ``width`` characters, whole words, "…" if cut."""
    text = " ".join(xml_text(text).split())
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder=" …")) or text


def matrix(table: Table) -> tuple[list[str], list[tuple[str, list[str], list[list[int]]]]]:
    """(row labels, panels): each panel is (title, column labels, counts)."""
    row_key = table.extra.get("row_key", table.columns[0].key)
    value_columns = [c for c in table.columns if c.key in table.extra.get("value_keys", ())]
    rows = table.rows
    labels = [wrap(text_of(r.get(row_key)), ROW_LABEL, 2) for r in rows]
    groups = table.extra.get("groups") or {}
    panels: dict[str, list] = {}
    for column in value_columns:
        panels.setdefault(groups.get(column.key, ""), []).append(column)
    out = []
    for title, columns in panels.items():
        counts = [[int(r.get(c.key) or 0) for c in columns] for r in rows]
        out.append((wrap(title, 90, 1), [wrap(c.header, COLUMN_LABEL) for c in columns],
                    counts))
    return labels, out


def draw(table: Table, path: Path, fmt: str) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    rows, panels = matrix(table)
    if not rows or not panels:
        rows = rows or ["(no documents)"]
        panels = [("", ["(no codes)"], [[0] for _ in rows])]
    widest = max(len(cols) for _, cols, _ in panels)
    label_in = 0.075 * max(len(line) for label in rows for line in label.split("\n"))
    width = min(max(5.0, 1.6 + label_in + 0.62 * widest), 30.0)
    heights = [0.9 + 0.32 * len(rows) + 0.16 * LABEL_LINES * 2 for _ in panels]
    peak = max((v for _, _, counts in panels for line in counts for v in line), default=0) or 1
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 8}):
        fig, axes = plt.subplots(len(panels), 1, figsize=(width, min(sum(heights), 200)),
                                 layout="constrained", squeeze=False,
                                 gridspec_kw={"height_ratios": heights})
        image = None
        for ax, (title, cols, counts) in zip(axes[:, 0], panels, strict=True):
            image = ax.imshow(counts, cmap="Blues", vmin=0, vmax=peak, aspect="auto")
            ax.set_xticks(range(len(cols)), labels=cols, rotation=40, ha="right",
                          rotation_mode="anchor", fontsize=7)
            ax.set_yticks(range(len(rows)), labels=rows, fontsize=7)
            ax.set_xticks([x - 0.5 for x in range(1, len(cols))], minor=True)
            ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
            ax.grid(which="minor", color="white", linewidth=1.5)
            ax.tick_params(which="minor", length=0)
            ax.set_xlim(-0.5, widest - 0.5)  # every panel's cells the same size
            if title:
                ax.set_title(title, fontsize=9, loc="left")
            for i, line in enumerate(counts):
                for j, value in enumerate(line):
                    if value:
                        colour = "white" if value > peak * 0.6 else "black"
                        ax.text(j, i, str(value), ha="center", va="center", color=colour,
                                fontsize=7)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        fig.suptitle(xml_text(table.title), fontsize=11)
        fig.colorbar(image, ax=axes[:, 0].tolist(), shrink=min(0.6, 3 / len(panels) + 0.1),
                     label="coded fragments" if table.kind == "map" else "units where both occur")
        metadata = {"Creator": "realistcoder"} if fmt == "svg" else {"Software": "realistcoder"}
        fig.savefig(path, format=fmt, dpi=150, metadata=metadata)
        plt.close(fig)


@register("png", extensions=(".png",), kinds={"map", "cooccurrence"},
          description="heatmap picture")
def write_png(table: Table, path: Path) -> None:
    draw(table, path, "png")


@register("svg", extensions=(".svg",), kinds={"map", "cooccurrence"},
          description="heatmap vector picture")
def write_svg(table: Table, path: Path) -> None:
    draw(table, path, "svg")
