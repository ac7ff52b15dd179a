"""Hostile input files, built on the fly (never committed): PDF flate bombs, pages of scattered
text, files with invalid UTF-8 names, text files with no sentence end.

Every PDF here is written object by object with a correct cross-reference table, so that
pdfium reads it without repair and the hostility is only the one intended.
"""

from __future__ import annotations

import os
import random
import zlib
from pathlib import Path


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file from its objects (object k + 1 is ``objects[k]``; 1 is the catalogue)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, xref))
    return bytes(out)


def _stream(content: bytes, *, compress: bool = True) -> bytes:
    data = zlib.compress(content, 9) if compress else content
    filters = b" /Filter /FlateDecode" if compress else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), filters) + data + b"\nendstream"


def _one_page(content_streams: list[bytes]) -> bytes:
    """A one-page PDF (Helvetica as /F1) whose page draws ``content_streams`` in turn."""
    first = 5
    refs = b" ".join(b"%d 0 R" % (first + k) for k in range(len(content_streams)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents [" + refs + b"] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *content_streams,
    ]
    return _pdf(objects)


def _compressed_zeros_stream(size_mb: int) -> bytes:
    """A FlateDecode stream that inflates to ``size_mb`` MB of spaces (about 1,000 : 1).

    Each megabyte is compressed as a block of its own (a full flush resets the history), so
    the blocks after the first are identical and are repeated rather than compressed again;
    only the checksum at the end is computed over every byte.
    """
    chunk = b" " * (1 << 20)
    squeeze = zlib.compressobj(9)
    first = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    block = squeeze.compress(chunk) + squeeze.flush(zlib.Z_FULL_FLUSH)
    ending = squeeze.flush()[:-4]  # the last, empty block; its checksum is replaced below
    checksum = 1
    for _ in range(size_mb):
        checksum = zlib.adler32(chunk, checksum)
    data = first + block * (size_mb - 1) + ending + checksum.to_bytes(4, "big")
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + \
        b"\nendstream"


def flate_bomb_pdf(path: Path, inflated_mb: int = 4096) -> Path:
    """A small PDF whose one content stream inflates to ``inflated_mb`` MB (4 GB: a 4 MB file)."""
    text = _stream(b"BT /F1 12 Tf 72 720 Td (A page behind a bomb.) Tj ET")
    path.write_bytes(_one_page([_compressed_zeros_stream(inflated_mb), text]))
    return path


def scattered_text_pdf(path: Path, n_chars: int = 80_000, seed: int = 1) -> Path:
    """One page with ``n_chars`` single letters each at its own random place."""
    rng = random.Random(seed)
    ops = [b"BT /F1 6 Tf"]
    for _ in range(n_chars):
        x, y = rng.uniform(20, 590), rng.uniform(20, 770)
        ops.append(b"1 0 0 1 %.2f %.2f Tm (%s) Tj" % (x, y, bytes([rng.randint(97, 122)])))
    ops.append(b"ET")
    path.write_bytes(_one_page([_stream(b"\n".join(ops))]))
    return path


def long_sentence_text(path: Path, n_chars: int = 10_000_000) -> Path:
    """A text file of ``n_chars`` characters with no sentence end (words, no full stop)."""
    word = b"evidence without an end "
    reps = n_chars // len(word) + 1
    path.write_bytes((word * reps)[:n_chars])
    return path


def invalid_utf8_name(folder: Path, content: bytes, suffix: bytes = b".txt") -> Path:
    """A file whose name holds the byte 0xFF (not UTF-8); returns its path as Python sees it."""
    raw = os.fsencode(folder) + b"/report-\xff-caf\xe9" + suffix
    with open(raw, "wb") as handle:
        handle.write(content)
    return Path(os.fsdecode(raw))
