"""Read a PDF's text layer with pypdfium2: characters grouped into positioned line segments.

pdfium reads text about 40x faster than pdfminer and places word spaces well, so this module
walks its characters once (in content-stream order) and cuts them into *line segments*: runs of
characters on one baseline without a column-sized gap. Layout analysis (columns, blocks,
headers) happens later, in :mod:`realistcoder.ingest.layout`, on these segments.

Repairs done here, where the geometry is known: fake-bold overprinted characters are dropped,
ligature glyphs are expanded (``ﬁ`` -> ``fi``) without the spurious space pdfium sometimes puts
after them, and pdfium's end-of-line soft-hyphen marks become ``-``.
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from realistcoder.errors import InputError
from realistcoder.ingest.marks import raised_marks

LIGATURES = {
    "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
    "\ufb05": "st", "\ufb06": "st", "\u0132": "IJ", "\u0133": "ij",
}
SOFT_HYPHENS = {0xFFFE, 0x02, 0x00AD}
SPACES = {0x20, 0xA0, 0x2002, 0x2003, 0x2009, 0x202F, 0x09}
MAP_SAMPLE = 5  # one character in this many is checked for a Unicode map error first
OCR_FIX = "run OCR first, e.g. `ocrmypdf in.pdf out.pdf`, then ingest the output"


@dataclass
class Line:
    """A run of characters on one baseline (one column's part of a printed line)."""

    page: int
    text: str
    x0s: list[float]
    x1s: list[float]
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    bold: bool = False
    font: str = ""  # font of the first letter; "" when the line's letters mix fonts
    # indexes into ``text`` of characters pdfium could not map to Unicode (a font without a
    # usable ToUnicode map: what they read is glyph codes, not text)
    unmapped: list[int] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)  # raised reference numbers


    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    n_chars: int = 0
    has_images: bool = False
    n_unmapped: int = 0  # characters of fonts without a usable Unicode map
    n_replacement: int = 0  # U+FFFD: characters the fonts map to "unknown"


@dataclass
class PdfContent:
    pages: list[Page]
    metadata: dict[str, str]


def read_pdf(path: Path, password: str | list[str] | None = None) -> PdfContent:
    """Open ``path`` and return its pages as line segments, or raise a one-line InputError.

    ``password`` may be a list: each is tried in turn on an encrypted file.
    """
    passwords = [password] if isinstance(password, str) else list(password or [])
    doc = None
    for candidate in passwords[:-1]:
        try:
            doc = open_pdf(path, candidate)
            break
        except InputError:
            continue
    if doc is None:
        doc = open_pdf(path, passwords[-1] if passwords else None)
    try:
        pages = [_read_page(doc, i) for i in range(len(doc))]
        metadata = {k: str(v) for k, v in doc.get_metadata_dict(skip_empty=True).items()}
    finally:
        doc.close()
    if not pages:
        raise InputError("the PDF has no pages", subject=path,
                         fix="check the file; re-export or re-download it")
    if not any(p.n_chars for p in pages):
        if any(p.has_images for p in pages):
            raise InputError("no text layer: the pages are scanned images", subject=path,
                             fix=OCR_FIX)
        raise InputError("the PDF contains no text (its pages are empty)", subject=path,
                         fix="check that this is the right file")
    return PdfContent(pages, metadata)


def open_pdf(path: Path, password: str | None) -> pdfium.PdfDocument:
    """Open with pdfium, turning its error codes into messages a reviewer can act on."""
    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as err:
        code = getattr(err, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            if password:
                raise InputError("the password given does not open this encrypted PDF",
                                 subject=path, fix="check the --password value") from None
            raise InputError("the PDF is encrypted", subject=path,
                             fix="pass its password with --password PW") from None
        if code == raw.FPDF_ERR_SECURITY:
            raise InputError("the PDF uses an unsupported security handler", subject=path,
                             fix="save an unprotected copy (print to PDF) and ingest that"
                             ) from None
        raise InputError("the PDF is corrupt and cannot be read", subject=path,
                         fix="re-download or re-export the file (e.g. `qpdf in.pdf out.pdf` "
                         "can repair some files)") from None


def _read_page(doc: pdfium.PdfDocument, index: int) -> Page:
    page = doc[index]
    try:
        width, height = page.get_size()
        tp = page.get_textpage()
        try:
            frame = _Frame(tp, width, height)
            lines, n_chars = _lines(tp, index + 1, frame)
        finally:
            tp.close()
        has_images = n_chars == 0 and _has_images(page)
    finally:
        page.close()
    return Page(index + 1, frame.width, frame.height, lines, n_chars, has_images,
                n_unmapped=sum(len(line.unmapped) for line in lines),
                n_replacement=sum(line.text.count("\ufffd") for line in lines))


class _Frame:
    """Page coordinates turned so that the page's main text runs left to right, top down.

    pdfium reports boxes in the unrotated page space, where the text of a page with /Rotate
    runs up or down. The dominant character angle gives the turn; characters at other angles
    (a rotated arXiv stamp, a vertical margin note) are dropped.
    """

    TOLERANCE = 0.1  # radians

    def __init__(self, tp, width: float, height: float):
        n = raw.FPDFText_CountChars(tp)
        step = max(1, n // 400)
        votes: Counter[int] = Counter()
        flow: Counter[int] = Counter()  # which way the text runs, from one letter to the next
        a, b = raw.FS_RECTF(), raw.FS_RECTF()
        for i in range(0, n, step):
            if raw.FPDFText_GetUnicode(tp, i) in (32, 10, 13):
                continue  # pdfium's generated spaces and breaks report angle 0 on any page
            angle = raw.FPDFText_GetCharAngle(tp, i)
            if angle < 0:
                continue
            quarter = round(angle * 2 / math.pi) % 4
            votes[quarter] += 1
            if i + 1 < n and raw.FPDFText_GetUnicode(tp, i + 1) not in (32, 10, 13):
                raw.FPDFText_GetLooseCharBox(tp, i, ctypes.byref(a))
                raw.FPDFText_GetLooseCharBox(tp, i + 1, ctypes.byref(b))
                dx = (b.left + b.right - a.left - a.right) / 2
                dy = (b.top + b.bottom - a.top - a.bottom) / 2
                if 0.1 < math.hypot(dx, dy) < 3 * max(a.top - a.bottom, a.right - a.left, 1):
                    flow[(quarter, round(math.atan2(dy, dx) * 2 / math.pi) % 4)] += 1
        quarter = votes.most_common(1)[0][0] if votes else 0
        self.uniform = len(votes) <= 1  # every sampled character at the same angle
        self.angle = quarter * math.pi / 2  # pdfium's angle of the page's main text
        runs = [d for (q, d), _ in flow.most_common() if q == quarter]
        direction = runs[0] if runs else quarter
        self.turned = direction != 0
        self.turn = direction * math.pi / 2  # the way that text runs on the unrotated page
        self.cos, self.sin = round(math.cos(-self.turn)), round(math.sin(-self.turn))
        corners = [self._turn(x, y) for x, y in ((0, 0), (width, 0), (0, height),
                                                 (width, height))]
        self.x_min = min(c[0] for c in corners)
        self.y_max = max(c[1] for c in corners)
        self.width = max(c[0] for c in corners) - self.x_min
        self.height = self.y_max - min(c[1] for c in corners)

    def _turn(self, x: float, y: float) -> tuple[float, float]:
        return x * self.cos - y * self.sin, x * self.sin + y * self.cos

    def keeps(self, angle: float) -> bool:
        if angle < 0:
            return True
        diff = abs(angle - self.angle) % (2 * math.pi)
        return min(diff, 2 * math.pi - diff) < self.TOLERANCE

    def box(self, left: float, bottom: float, right: float, top: float):
        """(x0, x1, top, bottom) in the turned frame, y growing downwards."""
        if not self.turned:
            return left, right, self.height - top, self.height - bottom
        a = self._turn(left, bottom)
        b = self._turn(right, top)
        x0, x1 = sorted((a[0], b[0]))
        y0, y1 = sorted((a[1], b[1]))
        return x0 - self.x_min, x1 - self.x_min, self.y_max - y1, self.y_max - y0


def _has_images(page: pdfium.PdfPage) -> bool:
    for obj in page.get_objects(max_depth=2):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            return True
    return False


class _Builder:
    """Accumulates the characters of one line segment."""

    __slots__ = ("chars", "x0s", "x1s", "tops", "bottoms", "sizes", "first_alpha", "last_alpha",
                 "unmapped")

    def __init__(self):
        self.chars: list[str] = []
        self.x0s: list[float] = []
        self.x1s: list[float] = []
        self.tops: list[float] = []
        self.bottoms: list[float] = []
        self.sizes: list[float] = []
        self.first_alpha = -1
        self.last_alpha = -1
        self.unmapped: list[int] = []


def _lines(textpage, page_no: int, frame: _Frame) -> tuple[list[Line], int]:
    tp = textpage.raw  # the bare handle: skips pypdfium2's per-call attribute lookup
    n = raw.FPDFText_CountChars(tp)
    get_angle = raw.FPDFText_GetCharAngle
    rect = raw.FS_RECTF()
    rect_p = ctypes.byref(rect)
    get_box = raw.FPDFText_GetLooseCharBox
    codes = _codes(tp, n)
    map_error = raw.FPDFText_HasUnicodeMapError
    # a font without a Unicode map errs on nearly every character it sets: a sample finds the
    # pages worth checking character by character (checking every page costs about 12%)
    suspect = any(map_error(tp, i) for i in range(0, n, MAP_SAMPLE))
    check_angle = frame.turned or not frame.uniform
    lines: list[Line] = []
    firsts: list[tuple[int, int]] = []
    cur = _Builder()
    space_pending = False
    after_ligature = False
    n_text = 0

    def flush():
        nonlocal cur
        if cur.chars:
            line = _finish(cur, page_no)
            if line is not None:
                lines.append(line)
                firsts.append((cur.first_alpha, cur.last_alpha))
        cur = _Builder()

    for i in range(n):
        code = codes[i]
        if code in (10, 13):
            flush()
            space_pending = False
            continue
        if code in SPACES:
            space_pending = True
            continue
        if code == 0 or code == 0xFFFF:
            continue
        if check_angle and not frame.keeps(get_angle(tp, i)):
            continue
        get_box(tp, i, rect_p)
        x0, x1, top, bottom = frame.box(rect.left, rect.bottom, rect.right, rect.top)
        if bottom - top <= 0.1:
            continue
        size = bottom - top  # the loose box spans the font's ascent to descent
        ch = "-" if code in SOFT_HYPHENS else chr(code)
        if not ch.isprintable():
            continue
        n_text += 1
        if cur.chars:
            last_x1 = cur.x1s[-1]
            mid = (top + bottom) / 2
            ltop, lbot = cur.tops[-1], cur.bottoms[-1]
            same_band = ltop - 0.2 * size < mid < lbot + 0.2 * size
            gap = x0 - last_x1
            if (
                not same_band
                or gap > max(1.2 * size, 6.0)
                or gap < -max(size, 3.0)
            ):
                flush()
                space_pending = False
            elif (ch == cur.chars[-1] and abs(x0 - cur.x0s[-1]) < 0.3 * max(x1 - x0, 1.0)
                  and not (ch == "f" and x0 == cur.x0s[-1] and x1 == cur.x1s[-1])):
                continue  # fake bold: the same glyph printed twice (an "ff" ligature is not)
            elif space_pending or gap > 0.4 * size:
                if not (after_ligature and ch.islower() and gap < 0.15 * size):
                    _add(cur, " ", last_x1, x0, top, bottom, size)
        space_pending = False
        if suspect and map_error(tp, i):
            cur.unmapped.append(len(cur.chars))
        expanded = LIGATURES.get(ch)
        if expanded:
            w = (x1 - x0) / len(expanded)
            for k, c in enumerate(expanded):
                _add(cur, c, x0 + k * w, x0 + (k + 1) * w, top, bottom, size)
            after_ligature = True
            continue
        # pdfium may already have split a ligature into two chars sharing one box
        after_ligature = (
            bool(cur.chars) and ch in "ilf" and cur.chars[-1] == "f"
            and abs(cur.x0s[-1] - x0) < 0.5
        )
        if ch.isalpha():
            cur.last_alpha = i
            if cur.first_alpha < 0:
                cur.first_alpha = i
        _add(cur, ch, x0, x1, top, bottom, size)
    flush()
    lines, firsts = _drop_overprints(lines, firsts)
    _mark_bold(tp, lines, firsts)
    return lines, n_text


def _drop_overprints(lines: list[Line], firsts: list[tuple[int, int]]
                     ) -> tuple[list[Line], list[tuple[int, int]]]:
    """Drop a line printed again at the same place (fake bold, or a block drawn twice): the
    reader sees it once, so its sentences must come out once."""
    # lines are filed by text and by the whole point their corner falls in, so that each line
    # is compared only with the few printed near it (a page of scattered letters has thousands
    # of one-letter lines: comparing each with every other one took minutes)
    seen: dict[tuple[str, int, int], list[Line]] = {}
    kept, kept_firsts = [], []
    for line, first in zip(lines, firsts, strict=True):
        x, y = math.floor(line.x0), math.floor(line.top)
        if any(abs(o.x0 - line.x0) < 1.0 and abs(o.top - line.top) < 1.0
               and abs(o.x1 - line.x1) < 1.0
               for dx in (-1, 0, 1) for dy in (-1, 0, 1)
               for o in seen.get((line.text, x + dx, y + dy), ())):
            continue
        seen.setdefault((line.text, x, y), []).append(line)
        kept.append(line)
        kept_firsts.append(first)
    return kept, kept_firsts


def _codes(tp, n: int) -> list[int]:
    """Every character's code point: one FPDFText_GetText call, per character if that fails."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = raw.FPDFText_GetText(tp, 0, n, buf)
    codes = list(buf[:n])
    if got - 1 == n and not any(0xD800 <= c <= 0xDFFF for c in codes):
        return codes
    return [raw.FPDFText_GetUnicode(tp, i) for i in range(n)]


def _add(b: _Builder, ch: str, x0: float, x1: float, top: float, bottom: float, size: float):
    b.chars.append(ch)
    b.x0s.append(x0)
    b.x1s.append(x1)
    b.tops.append(top)
    b.bottoms.append(bottom)
    b.sizes.append(size)


def _finish(b: _Builder, page_no: int) -> Line | None:
    while b.chars and b.chars[-1] == " ":
        for seq in (b.chars, b.x0s, b.x1s, b.tops, b.bottoms, b.sizes):
            seq.pop()
    if not b.chars:
        return None
    return Line(
        page=page_no,
        unmapped=[k for k in b.unmapped if k < len(b.chars)],
        text="".join(b.chars),
        x0s=b.x0s,
        x1s=b.x1s,
        x0=min(b.x0s),
        top=statistics.median(b.tops),
        x1=max(b.x1s),
        bottom=statistics.median(b.bottoms),
        size=statistics.median(b.sizes),
        marks=raised_marks(b.chars, b.bottoms, b.sizes),
    )


_BOLD_NAME = re.compile(r"(?i)bold|black|heavy|demi|semib|[.,-]b/|-b[a-z]*/|bd/")
_REGULAR_NAME = re.compile(r"(?i)regular|roman|book|light|[.,-]r/")
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_NAME_BUF = ctypes.create_string_buffer(256)
# PDF font flags: FixedPitch 1, Serif 2, Script 8, Italic 64, AllCap, SmallCap, ForceBold
_STYLE_FLAGS = 1 | 2 | 8 | 64 | 0x10000 | 0x20000 | 0x40000


def _mark_bold(tp, lines: list[Line], firsts: list[tuple[int, int]]) -> None:
    for line, (first, last) in zip(lines, firsts, strict=True):
        if first < 0:
            continue
        name = _font_name(tp, first)
        if last != first and _font_name(tp, last) != name:
            continue
        line.font = name
        line.bold = bool(_BOLD_NAME.search(name)) or (
            raw.FPDFText_GetFontWeight(tp, first) >= 600 and not _REGULAR_NAME.search(name))


def _font_name(tp, index: int) -> str:
    flags = ctypes.c_int(0)
    size = raw.FPDFText_GetFontInfo(tp, index, _NAME_BUF, 256, ctypes.byref(flags))
    name = _NAME_BUF.raw[: max(size - 1, 0)].decode("latin-1", "replace") if size else "?"
    name = _SUBSET.sub("", name)  # "BCDFEE+ArialMT" is a subset of "ArialMT"
    # only the flags that change the look: a subset embedded twice, once marked symbolic and
    # once not, is the same type ("over time)" / "were included." split a sentence)
    return f"{name}/{flags.value & _STYLE_FLAGS}"
