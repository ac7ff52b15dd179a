"""Evidence-map heatmaps (matplotlib, no display needed): documents down, codes or areas across.

PNG for slides, SVG for reports; each cell shows its count, darker for more evidence.
"""

from __future__ import annotations

from pathlib import Path

from realistcoder.export.registry import register
from realistcoder.export.safe import xml_text
from realistcoder.export.table import Table, text_of

MAX_LABEL = 40


def _short(text: str) -> str:
    text = xml_text(text).replace("\n", " ")
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def matrix(table: Table) -> tuple[list[str], list[str], list[list[int]]]:
    """(row labels, column labels, counts) of an evidence-map table."""
    row_key = table.extra.get("row_key", table.columns[0].key)
    value_columns = [c for c in table.columns if c.key in table.extra.get("value_keys", ())]
    rows = table.rows
    labels = [_short(text_of(r.get(row_key))) for r in rows]
    counts = [[int(r.get(c.key) or 0) for c in value_columns] for r in rows]
    return labels, [_short(c.header) for c in value_columns], counts


def draw(table: Table, path: Path, fmt: str) -> None:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    rows, cols, counts = matrix(table)
    if not rows or not cols:
        rows, cols, counts = rows or ["(no documents)"], cols or ["(no codes)"], [[0]]
        counts = [[0] * len(cols) for _ in rows]
    width = min(max(4.0, 1.2 + 0.45 * len(cols) + 0.07 * max(map(len, rows))), 40)
    height = min(max(2.5, 1.6 + 0.35 * len(rows) + 0.06 * max(map(len, cols))), 40)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    peak = max((v for line in counts for v in line), default=0) or 1
    image = ax.imshow(counts, cmap="Blues", vmin=0, vmax=peak, aspect="auto")
    ax.set_xticks(range(len(cols)), labels=cols, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), labels=rows)
    ax.set_xticks([x - 0.5 for x in range(1, len(cols))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(rows))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    for i, line in enumerate(counts):
        for j, value in enumerate(line):
            if value:
                colour = "white" if value > peak * 0.6 else "black"
                ax.text(j, i, str(value), ha="center", va="center", color=colour, fontsize=8)
    ax.set_title(xml_text(table.title), fontsize=11)
    fig.colorbar(image, ax=ax, shrink=0.6, label="coded fragments" if table.kind == "map"
                 else "units where both occur")
    metadata = {"Creator": "realistcoder"} if fmt == "svg" else {"Software": "realistcoder"}
    fig.savefig(path, format=fmt, dpi=200, metadata=metadata)
    plt.close(fig)


@register("png", extensions=(".png",), kinds={"map", "cooccurrence"},
          description="heatmap picture")
def write_png(table: Table, path: Path) -> None:
    draw(table, path, "png")


@register("svg", extensions=(".svg",), kinds={"map", "cooccurrence"},
          description="heatmap vector picture")
def write_svg(table: Table, path: Path) -> None:
    draw(table, path, "svg")
