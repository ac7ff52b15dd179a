"""Generate test PDFs with reportlab: columns, running heads, hyphenation, page breaks.

``make_pdf(path, items, columns=2, ...)`` flows ``items`` into columns and pages like a journal:
``(kind, text)`` pairs with kind ``title``, ``heading``, ``para``, ``caption``, ``item``, ``ref``,
or ``lines`` (drawn exactly as given, one line per newline; ``^{15}`` draws "15" as a raised,
smaller reference number).
A soft hyphen (U+00AD) inside a word marks where the word may be hyphenated at a line end;
``hyphenate_all=True`` breaks such words at the first line end where they fall.
"""

from __future__ import annotations

import re
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

SOFT = "\u00ad"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def register_dejavu() -> str | None:
    """Register DejaVu Sans (it has ligature glyphs); None when the font is not installed."""
    if not DEJAVU.exists():
        return None
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(DEJAVU)))
    return "DejaVu"


class _Flow:
    def __init__(self, c, columns, page_size, margin, gutter, header, footer, numbers, font):
        self.c = c
        self.columns = columns
        self.width, self.height = page_size
        self.margin = margin
        self.gutter = gutter
        self.header, self.footer, self.numbers = header, footer, numbers
        self.font = font
        self.col_w = (self.width - 2 * margin - (columns - 1) * gutter) / columns
        self.page = 0
        self.col = 0
        self.y = 0.0
        self._new_page()

    def _new_page(self):
        if self.page:
            self.c.showPage()
        self.page += 1
        self.col = 0
        self.y = self.height - self.margin
        self.c.setFont(self.font, 8)
        if self.header:
            self.c.drawString(self.margin, self.height - 40, self.header)
        if self.footer:
            self.c.drawString(self.margin, 30, self.footer)
        if self.numbers:
            self.c.drawRightString(self.width - self.margin, 30, str(self.page))

    def _next_column(self):
        if self.col + 1 < self.columns:
            self.col += 1
            self.y = self.height - self.margin
        else:
            self._new_page()

    def x(self) -> float:
        return self.margin + self.col * (self.col_w + self.gutter)

    def space(self, points: float):
        self.y -= points

    def line(self, text: str, font: str, size: float, indent: float = 0.0):
        lead = size * 1.25
        if self.y - lead < self.margin:
            self._next_column()
        self.y -= lead
        x = self.x() + indent
        for k, part in enumerate(re.split(r"\^\{([^}]*)\}", text)):
            small = k % 2 == 1  # inside ^{...}: a raised reference number
            part_size = size * 0.6 if small else size
            self.c.setFont(font, part_size)
            self.c.drawString(x, self.y + (size * 0.38 if small else 0), part)
            x += pdfmetrics.stringWidth(part, font, part_size)


def _wrap(text: str, font: str, size: float, width: float, indent: float,
          hyphenate_all: bool) -> list[str]:
    words = text.split()
    lines: list[str] = []
    cur = ""
    avail = width - indent
    for word in words:
        trial = (cur + " " + word).strip()
        if pdfmetrics.stringWidth(trial.replace(SOFT, ""), font, size) <= avail:
            cur = trial
            continue
        broke = False
        if SOFT in word or "-" in word:
            # break at the last soft or real hyphen that still fits
            cuts = [i for i, ch in enumerate(word) if ch in (SOFT, "-")]
            for i in reversed(cuts):
                head = word[:i].replace(SOFT, "") + "-"
                tail = word[i + 1:]
                if pdfmetrics.stringWidth((cur + " " + head).strip(), font, size) <= avail:
                    lines.append((cur + " " + head).strip())
                    cur = tail
                    broke = True
                    break
        if not broke:
            lines.append(cur)
            cur = word
        avail = width
    if cur:
        lines.append(cur)
    out = [line.replace(SOFT, "") for line in lines if line]
    return out


def make_pdf(
    path: Path,
    items: list[tuple[str, str]],
    *,
    columns: int = 1,
    header: str | None = None,
    footer: str | None = None,
    page_numbers: bool = False,
    font: str = "Helvetica",
    bold: str = "Helvetica-Bold",
    size: float = 10,
    page_size=A4,
    margin: float = 60,
    gutter: float = 24,
    title: str | None = None,
    author: str | None = None,
    encrypt: str | None = None,
    hyphenate_all: bool = True,
) -> Path:
    """Write ``items`` to ``path`` as a PDF; returns ``path``."""
    c = canvas.Canvas(str(path), pagesize=page_size, encrypt=encrypt)
    if title:
        c.setTitle(title)
    if author:
        c.setAuthor(author)
    flow = _Flow(c, columns, page_size, margin, gutter, header, footer, page_numbers, font)
    for kind, text in items:
        if kind == "title":
            for line in _wrap(text, bold, size + 6, flow.col_w, 0, False):
                flow.line(line, bold, size + 6)
            flow.space(size)
        elif kind == "heading":
            flow.space(size * 0.8)
            for line in _wrap(text, bold, size + 1, flow.col_w, 0, False):
                flow.line(line, bold, size + 1)
        elif kind == "caption":
            flow.space(size * 0.6)
            for line in _wrap(text, font, size - 1, flow.col_w, 0, False):
                flow.line(line, font, size - 1)
            flow.space(size * 0.6)
        elif kind == "lines":  # drawn exactly as given, one line per "\n"
            for line in text.split("\n"):
                flow.line(line, font, size)
        elif kind == "item":
            for k, line in enumerate(_wrap("\u2022 " + text, font, size, flow.col_w - 10, 0,
                                           hyphenate_all)):
                flow.line(line, font, size, indent=0 if k == 0 else 10)
        else:  # para, ref
            indent = 12 if kind == "para" else 0
            for k, line in enumerate(_wrap(text, font, size, flow.col_w, indent, hyphenate_all)):
                flow.line(line, font, size, indent=indent if k == 0 else 0)
    c.showPage()
    c.save()
    return path


def image_only_pdf(path: Path) -> Path:
    """A one-page PDF holding only a picture (like a scan without OCR)."""
    from reportlab.lib.utils import ImageReader

    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow ships with reportlab
        raise
    img = Image.new("L", (200, 100), 255)
    for x in range(20, 180):
        img.putpixel((x, 50), 0)
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(img), 100, 500, width=200, height=100)
    c.showPage()
    c.save()
    return path


def handmade_pdf(lines: list[bytes], font_extra: bytes = b"",
                 extra_objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF written byte by byte (Helvetica, ``lines`` in the font's codes), for
    fonts reportlab will not make: a ToUnicode map to U+FFFD, an encoding with no Unicode map.
    ``extra_objects`` are numbered from 6 on (object 5 is the font)."""
    content = b"BT /F1 11 Tf 72 720 Td 14 TL " + b" ".join(
        b"(" + t + b") Tj T*" for t in lines) + b" ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " + font_extra + b">>",
               *extra_objects]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def replacement_char_pdf(lines: list[bytes]) -> bytes:
    """``~`` in ``lines`` comes out as U+FFFD (the font's ToUnicode map says so), as in PDFs
    whose fonts map a symbol to "unknown"."""
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def "
            b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <7E> <FFFD> "
            b"endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    stream = b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream"
    return handmade_pdf(lines, b"/ToUnicode 6 0 R ", (stream,))


def unmapped_font_pdf(lines: list[bytes]) -> bytes:
    """Every character in a font whose glyph names have no Unicode meaning (/g65 ...): pdfium
    reports a Unicode map error for each, as for the fonts that turn text into gibberish."""
    names = b" ".join(b"/g%d" % i for i in range(32, 127))
    return handmade_pdf(lines, b"/Encoding << /Type /Encoding /Differences [32 " + names +
                        b"] >> ")
