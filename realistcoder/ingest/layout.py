"""Page layout: drop running headers, order line segments column by column, build blocks.

Reading order comes from a recursive XY-cut: a region is split at vertical white gutters first
(columns, read left to right), else at horizontal gaps (bands, read top to bottom); consecutive
bands cut by the same gutters are re-joined so that a two-column page interrupted by a
full-width figure, or whose columns happen to share a blank line, is still read column by
column. A band of three or more narrow columns of short lines is a table and is read row by
row instead.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from realistcoder.ingest.pdf import Line, Page

HEADER_ZONE = 0.09  # top/bottom share of the page height where running heads live
PAGE_NUMBER = re.compile(
    r"^(page|p\.|seite|pag\.?)?\s*[-–(]?\s*([0-9]{1,4}|[ivxlcdm]{1,6})\s*[-–)]?"
    r"(\s*(of|/|de)\s*[0-9]{1,4})?$",
    re.I,
)
LINE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
BULLET = re.compile(r"^([•◦▪▫●○■□‣⁃∙·►▶➢✓✔\uf0b7\uf0a7\uf076\uf0d8\uf0fc]|[-–*]\s)")
ENUMERATOR = re.compile(r"^(\(?[0-9]{1,2}[.)]|\(?[a-hj-z][.)]|\(?[ivx]{1,4}\))\s+\S")


@dataclass
class Style:
    """The body text's look: its usual line height, and the fonts common enough to be body."""

    size: float
    fonts: frozenset[str]
    # the body font when the PDF reports it bold (a heavy weight set for all the text): its
    # "bold" is the body's look, not emphasis
    bold_body: frozenset[str] = frozenset()

    def emphasised(self, line: Line) -> bool:
        """Bold, larger, or set whole in a rare non-italic font (not one of the body fonts)."""
        if line.bold and line.font not in self.bold_body or line.size > 1.12 * self.size:
            return True
        return bool(line.font) and line.font not in self.fonts and not ITALIC.search(line.font)

    def distinct(self, line: Line) -> bool:
        """Set whole in a font that is not a body font (italic included)."""
        return bool(line.font) and line.font not in self.fonts

    def run_in_heading(self, line: Line) -> bool:
        """A short unpunctuated line in its own (possibly italic) font: a minor heading."""
        text = line.text.strip()
        return (self.distinct(line) and 0 < len(text) < 80 and text[0].isupper()
                and not text.endswith((".", ",", ";", ":", "?", "!", ")", "”", '"', "’")))


def body_style(pages: list[Page]) -> Style:
    """Measured on the first half of the pages, where body text outweighs reference lists."""
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    bold: Counter[str] = Counter()
    for page in pages[: max(1, (len(pages) + 1) // 2)]:
        for line in page.lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
            fonts[line.font] += len(line.text)
            bold[line.font] += len(line.text) if line.bold else 0
    size = sizes.most_common(1)[0][0] if sizes else 10.0
    total = sum(fonts.values()) or 1
    common = frozenset(f for f, n in fonts.items() if f and n >= 0.12 * total)
    main = next((f for f, _ in fonts.most_common() if f), None)
    bold_body = frozenset([main]) if main and bold[main] > 0.8 * fonts[main] else frozenset()
    return Style(size, common, bold_body)


# a numbered reference-list entry: "29 Troiano RP, Berrigan D", "[4] W. C. Lee", "12. Mason M:"
REFERENCE_ENTRY = re.compile(
    r"^\[?\d{1,3}[\].]?\s+(?:[A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?,? "
    r"(?:[A-Z]{1,3}|[A-Z]\.(?: ?[A-Z]\.)*)[,.:;]|(?:[A-Z]\. ?){1,3}[A-Z][\w'’-]+,)"
)
ITALIC = re.compile(r"(?i)italic|oblique|[.,-]i/|-it/")


@dataclass
class Block:
    """Lines that form one paragraph-like unit, in reading order, with a tentative kind."""

    lines: list[Line]
    kind: str = "body"  # body, heading, list, table, caption, references, front_matter
    row: bool = False  # a table row: cells joined with " | "
    cells: list[list[Line]] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.lines[0].page

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


def remove_running_heads(pages: list[Page]) -> None:
    """Drop page numbers and lines repeated in the top/bottom margin on several pages.

    Lines match when, numbers aside, they read the same at about the same height, or one
    begins with the other ("Journal of Care" on even pages, "Journal of Care 2018; 10(1)" on
    odd ones).
    """
    # (height bucket) -> margin text -> pages it is on; texts are compared through this table,
    # not pairwise, so that a page of thousands of scattered letters stays linear
    by_height: dict[int, dict[str, set[int]]] = {}
    for page in pages:
        for line in page.lines:
            if _in_margin(line, page):
                by_height.setdefault(_height_bucket(line), {}).setdefault(
                    _norm(line.text), set()).add(page.number)
    long_texts = {b: [t for t in texts if len(t) >= 15] for b, texts in by_height.items()}
    need = 2 if len(pages) < 6 else max(2, round(0.2 * len(pages)))
    for page in pages:
        kept = []
        for line in page.lines:
            bucket = _height_bucket(line)
            if _in_margin(line, page) and (
                PAGE_NUMBER.match(line.text.strip())
                or _repeats(_norm(line.text), by_height.get(bucket, {}),
                            long_texts.get(bucket, [])) >= need
            ):
                continue
            kept.append(line)
        page.lines = kept


def _norm(text: str) -> str:
    return " ".join(re.sub(r"\d+", "#", text.lower()).split())


def _height_bucket(line: Line) -> int:
    return int(line.top // 12)


def _repeats(text: str, table: dict[str, set[int]], long_texts: list[str]) -> int:
    """On how many pages a margin line at this height reads the same (or extends it): exact
    matches from ``table``; a text of 15+ characters also matches the ``long_texts`` it begins
    or that begin it."""
    pages = set(table.get(text, ()))
    if len(text) >= 15:
        for other in long_texts:
            short, long = (text, other) if len(text) <= len(other) else (other, text)
            if long.startswith(short):
                pages |= table[other]
    return len(pages)


def _in_margin(line: Line, page: Page) -> bool:
    return line.bottom < page.height * HEADER_ZONE or line.top > page.height * (1 - HEADER_ZONE)


def page_blocks(page: Page, style: Style) -> list[Block]:
    """The page's blocks in reading order."""
    if not page.lines:
        return []
    height = statistics.median(line.height for line in page.lines)
    tree = _cut(page.lines, height)
    blocks: list[Block] = []
    for kind, lines in _join_adjacent(list(_flatten(tree)), height):
        if len(lines) >= 5 and all(LINE_NUMBER.match(line.text) for line in lines):
            continue  # a margin column of line numbers (transcripts, drafts, patents)
        if kind == "table":
            blocks.extend(_table_rows(lines))
        else:
            blocks.extend(_paragraphs(lines, style))
    _mark_figure_text(blocks, style)
    return blocks


def _mark_figure_text(blocks: list[Block], style: Style) -> None:
    """Short labels floating away from every text column's left edge belong to a figure.

    They are marked as captions, which keeps them out of body text and lets a paragraph
    interrupted by the figure join up again.
    """
    lefts = [min(x.x0 for x in b.lines) for b in blocks if b.kind == "body" and len(b.lines) >= 3]
    if not lefts:
        return
    for block in blocks:
        if block.kind != "body" or len(block.lines) > 2:
            continue
        text = block.text.strip()
        if (len(text.split()) > 6 or text.endswith((".", "?", "!", ":", ";"))
                or any(style.emphasised(line) for line in block.lines)):
            continue
        x0 = min(line.x0 for line in block.lines)
        em = max(block.lines[0].size, 1.0)
        if all(abs(x0 - left) > 1.5 * em for left in lefts):
            block.kind = "caption"


# --- XY-cut -----------------------------------------------------------------------------------


def _cut(lines: list[Line], height: float, depth: int = 0):
    """A tree of ("leaf", lines) / ("cols", children, gutters) / ("rows", children)."""
    if len(lines) <= 1 or depth > 40:
        return ("leaf", lines)
    gutters = _x_gaps(lines, max(0.9 * height, 4.0))
    if gutters:
        groups: list[list[Line]] = [[] for _ in range(len(gutters) + 1)]
        for line in lines:
            k = sum(1 for g in gutters if line.x0 >= g[1] - 0.01)
            groups[k].append(line)
        children = [_cut(g, height, depth + 1) for g in groups if g]
        return ("cols", children, [(a + b) / 2 for a, b in gutters])
    bands = _y_bands(lines, 0.7 * height)
    if len(bands) > 1:
        return _join_rows([_cut(b, height, depth + 1) for b in bands])
    return ("leaf", lines)


def _x_gaps(lines: list[Line], min_gap: float) -> list[tuple[float, float]]:
    spans = sorted((line.x0, line.x1) for line in lines)
    gaps = []
    right = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - right >= min_gap:
            gaps.append((right, x0))
        right = max(right, x1)
    return gaps


def _y_bands(lines: list[Line], min_gap: float) -> list[list[Line]]:
    ordered = sorted(lines, key=lambda line: line.top)
    bands = [[ordered[0]]]
    bottom = ordered[0].bottom
    for line in ordered[1:]:
        if line.top - bottom >= min_gap:
            bands.append([])
        bands[-1].append(line)
        bottom = max(bottom, line.bottom)
    return bands


def _join_rows(children: list) -> tuple:
    """Merge consecutive bands that share a column structure (see the module docstring)."""
    out: list = []
    for child in children:
        prev = out[-1] if out else None
        if prev is not None and prev[0] == "cols" and _fits(child, prev):
            out[-1] = _merge_cols(prev, child)
        elif prev is not None and child[0] == "cols" and prev[0] != "cols" and _fits(prev, child):
            empty = ("cols", [("leaf", [])] * len(child[1]), child[2])
            out[-1] = _merge_cols(_merge_cols(empty, prev), child)
        else:
            out.append(child)
    return ("rows", out) if len(out) > 1 else out[0]


def _fits(node, cols) -> bool:
    gutters = cols[2]
    if node[0] == "cols":
        return len(node[2]) == len(gutters) and all(
            abs(a - b) < 12 for a, b in zip(node[2], gutters, strict=True)
        ) and len(node[1]) == len(cols[1])
    x0, _, x1, _ = _bbox(node)
    edges = [float("-inf"), *gutters, float("inf")]
    return any(edges[k] - 2 <= x0 and x1 <= edges[k + 1] + 2 for k in range(len(edges) - 1))


def _merge_cols(cols, node):
    gutters = cols[2]
    children = list(cols[1])
    if node[0] == "cols":
        for k, sub in enumerate(node[1]):
            children[k] = ("rows", [children[k], sub])
        return ("cols", children, gutters)
    x0 = _bbox(node)[0]
    k = sum(1 for g in gutters if x0 >= g - 2)
    k = min(k, len(children) - 1)
    children[k] = ("rows", [children[k], node])
    return ("cols", children, gutters)


def _bbox(node) -> tuple[float, float, float, float]:
    lines = list(_lines_of(node))
    if not lines:
        return (float("inf"), float("inf"), float("-inf"), float("-inf"))
    return (min(x.x0 for x in lines), min(x.top for x in lines),
            max(x.x1 for x in lines), max(x.bottom for x in lines))


def _lines_of(node):
    if node[0] == "leaf":
        yield from node[1]
    else:
        for child in node[1]:
            yield from _lines_of(child)


def _flatten(node):
    """(kind, lines) groups in reading order; kind is "text" or "table"."""
    if node[0] == "leaf":
        if node[1]:
            yield ("text", node[1])
        return
    if node[0] == "cols" and _is_table(node):
        yield ("table", list(_lines_of(node)))
        return
    for child in node[1]:
        yield from _flatten(child)


def _join_adjacent(groups: list[tuple[str, list[Line]]], height: float):
    """Re-join text groups that a horizontal cut separated but that sit one under the other."""
    out: list[tuple[str, list[Line]]] = []
    for kind, lines in groups:
        if out and kind == "text" and out[-1][0] == "text":
            prev = out[-1][1]
            p_x0, p_x1 = min(x.x0 for x in prev), max(x.x1 for x in prev)
            x0, x1 = min(x.x0 for x in lines), max(x.x1 for x in lines)
            gap = min(x.top for x in lines) - max(x.bottom for x in prev)
            overlap = min(p_x1, x1) - max(p_x0, x0)
            if 0 <= gap < 2.5 * height and overlap > 0.8 * min(p_x1 - p_x0, x1 - x0):
                out[-1] = (kind, prev + lines)
                continue
        out.append((kind, lines))
    return out


def _is_table(node) -> bool:
    children = [c for c in node[1] if any(True for _ in _lines_of(c))]
    if len(children) == 2:
        # a two-column table: short row labels on the left, each level with a line on the right
        if children[0][0] != "leaf" or children[1][0] != "leaf":
            return False
        left, right = children[0][1], children[1][1]
        label_words = statistics.median(len(line.text.split()) for line in left)
        tops = [x.top for x in right]
        level = sum(any(abs(t - line.top) < 1.5 for t in tops) for line in left) / len(left)
        return len(left) >= 3 and label_words <= 3 and level >= 0.8
    if len(children) < 3:
        return False
    lines = list(_lines_of(node))
    words = statistics.median(len(line.text.split()) for line in lines)
    numeric = sum(bool(re.search(r"\d", line.text)) for line in lines) / len(lines)
    return words <= 3 or (words <= 5 and numeric > 0.5)


# --- blocks -----------------------------------------------------------------------------------


def _table_rows(lines: list[Line]) -> list[Block]:
    rows = _y_bands(lines, -0.3 * statistics.median(x.height for x in lines))
    blocks = []
    for row in rows:
        cells = sorted(row, key=lambda line: line.x0)
        blocks.append(Block(cells, kind="table", row=True))
    return blocks


def _same_row(a: Line, b: Line) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.height, b.height)


def _merge_row_segments(lines: list[Line]) -> list[Line]:
    """Sort a column's lines top to bottom; segments of one printed line join left to right."""
    # rows: lines that overlap vertically, each row read left to right
    ordered: list[Line] = []
    row: list[Line] = []
    for line in sorted(lines, key=lambda x: x.top):
        if row and not _same_row(row[0], line):
            ordered.extend(sorted(row, key=lambda x: x.x0))
            row = []
        row.append(line)
    ordered.extend(sorted(row, key=lambda x: x.x0))
    out: list[Line] = []
    for line in ordered:
        if out and _same_row(out[-1], line) and line.x0 >= out[-1].x1 - 1:
            prev = out[-1]
            out[-1] = Line(
                page=prev.page,
                text=prev.text + " " + line.text,
                x0s=prev.x0s + [prev.x1] + line.x0s,
                x1s=prev.x1s + [line.x0] + line.x1s,
                x0=prev.x0, top=min(prev.top, line.top), x1=line.x1,
                bottom=max(prev.bottom, line.bottom), size=max(prev.size, line.size),
                bold=prev.bold and line.bold,
                unmapped=prev.unmapped + [len(prev.text) + 1 + k for k in line.unmapped],
                font=prev.font if prev.font == line.font else "",
                marks=prev.marks + [(a + len(prev.text) + 1, b + len(prev.text) + 1)
                                    for a, b in line.marks],
            )
        else:
            out.append(line)
    return out


def _paragraphs(lines: list[Line], style: Style) -> list[Block]:
    lines = _merge_row_segments(lines)
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False)]
    usual_gap = statistics.median(gaps) if gaps else 0.0
    blocks: list[Block] = []
    for i, line in enumerate(lines):
        text = line.text.lstrip()
        prev = lines[i - 1] if i else None
        ended = prev is None or prev.text.rstrip().endswith(
            (".", "?", "!", ":", ";", ".”", ".’", '."'))
        bullet = BULLET.match(text)
        starts_item = bool(
            bullet and (bullet.group(0)[0] not in "-–*" or ended)
            or ENUMERATOR.match(text) and (ended or _short(prev, right, max(line.size, 1.0)))
        )
        if prev is None:
            blocks.append(Block([line], kind="list" if starts_item else "body"))
            continue
        em = max(line.size, 1.0)
        gap = line.top - prev.bottom
        new = (
            gap > max(usual_gap + 0.5 * em, 0.6 * em)
            or abs(line.size - prev.size) > 0.08 * max(line.size, prev.size)
            or prev.font != line.font and _heading_like(prev, style) and style.emphasised(line)
            or style.emphasised(prev) != style.emphasised(line)
            and (_short(prev, right, em) or _short(line, right, em))
            or starts_item
            or ended and (line.x0 > left + 0.6 * em or prev.x1 < right - 2.5 * em)
            or style.run_in_heading(prev) and prev.font != line.font and _short(prev, right, em)
            or _heading_like(prev, style) and not _heading_like(line, style)
            and (_short(prev, right, em) or prev.font != line.font)
            and len(blocks[-1].lines) <= 3
        )
        if new:
            blocks.append(Block([line], kind="list" if starts_item else "body"))
        else:
            blocks[-1].lines.append(line)
    return blocks


def _short(line: Line, right: float, em: float) -> bool:
    return line.x1 < right - 4 * em


def _heading_like(line: Line, style: Style) -> bool:
    text = line.text.strip()
    return (
        len(text) < 120
        and not REFERENCE_ENTRY.match(text)
        and style.emphasised(line)
        and not text.endswith((".", ",", ";"))
    )
