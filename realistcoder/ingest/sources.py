"""Which files to ingest: expand PATH arguments and tell PDFs, text files and others apart."""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from realistcoder.errors import InputError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIX = ".pdf"
SUPPORTED = "PDF, .txt or .md"
_MAGIC = [
    (b"PK\x03\x04", "a ZIP archive (Word, Excel or similar)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"<!DOCTYPE html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"<?xml", "an XML file"),
]


@dataclass
class Problem:
    """A PATH argument or file that will not be ingested, with the one-line reason."""

    path: str
    error: InputError


def expand(args: list[str]) -> tuple[list[Path], list[Problem]]:
    """Files named by ``args`` (files, folders recursively, glob patterns), without duplicates.

    Folders contribute their PDF, .txt and .md files (hidden files skipped); files named
    explicitly are kept whatever their type, so an unsupported one is reported, not ignored.
    """
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append(path)

    for arg in args:
        path = Path(arg).expanduser()
        if path.is_dir():
            found_any = sorted(_walk(path))
            if not found_any:
                problems.append(Problem(arg, InputError(
                    f"the folder holds no {SUPPORTED} files", subject=arg,
                    fix="check the folder, or convert the documents to PDF, .txt or .md")))
            for found in found_any:
                add(found)
        elif path.exists() or path.is_symlink():
            add(path)
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(os.path.expanduser(arg), recursive=True))
            if not matches:
                problems.append(Problem(arg, InputError(
                    "no file matches this pattern", subject=arg,
                    fix="check the pattern; quote it to let realistcoder expand it")))
            for match in matches:
                m = Path(match)
                if m.is_dir():
                    for found in sorted(_walk(m)):
                        add(found)
                else:
                    add(m)
        else:
            problems.append(Problem(arg, InputError(
                "no such file or folder", subject=arg, fix="check the path")))
    return files, problems


def _walk(folder: Path):
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in TEXT_SUFFIXES | {PDF_SUFFIX}:
                yield Path(root) / name


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a one-line InputError when it cannot be read."""
    with _reading(path):
        return path.read_bytes()


@dataclass
class Fingerprint:
    """What ingest knows of a file before reading it: SHA-256, size and first bytes."""

    sha256: str
    size: int
    head: bytes


def fingerprint(path: Path) -> Fingerprint:
    """Hash the file in chunks (a huge file is never held in memory), or raise InputError."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with _reading(path), path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if not head:
                head = chunk[:1024]
            digest.update(chunk)
            size += len(chunk)
    return Fingerprint(digest.hexdigest(), size, head)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn the ways reading a file fails into one-line InputErrors."""
    if path.is_dir():
        raise InputError("is a folder", subject=path, fix="pass the folder itself, not a link")
    if path.exists() and not path.is_file():  # reading /dev/zero or a pipe never ends
        raise InputError("not a regular file (a device, pipe or socket)", subject=path,
                         fix="pass a PDF, .txt or .md file saved on disk")
    try:
        yield
    except FileNotFoundError:
        raise InputError("no such file (a broken link?)", subject=path,
                         fix="check the path") from None
    except PermissionError:
        raise InputError("permission denied", subject=path,
                         fix="make the file readable (chmod +r) or copy it somewhere you can "
                         "read it") from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", subject=path,
                         fix="check the disk or network share") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def detect_kind(path: Path, data: bytes) -> str:
    """``pdf`` or ``text``; raises InputError for empty, mislabelled or unsupported files."""
    suffix = path.suffix.lower()
    if not data:
        raise InputError("the file is empty (0 bytes)", subject=path,
                         fix="re-download or re-export it")
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if suffix == PDF_SUFFIX:
        what = _sniff(head)
        raise InputError(f"named .pdf but is not a PDF (it looks like {what})", subject=path,
                         fix="export it as PDF, or rename it with its real extension")
    if suffix in TEXT_SUFFIXES:
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError("named as text but is binary", subject=path,
                             fix="check that this is the right file")
        return "text"
    what = _sniff(head)
    raise InputError(f"unsupported file type ({what})", subject=path,
                     fix=f"convert it to {SUPPORTED} first")


def _sniff(head: bytes) -> str:
    low = head.lstrip()[:64].lower()
    for magic, what in _MAGIC:
        if head.startswith(magic) or low.startswith(magic.lower()):
            return what
    try:
        head.decode("utf-8")
        return "plain text"
    except UnicodeDecodeError:
        return "binary data"


def decode_text(path: Path, data: bytes) -> str:
    """Text file contents (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError("cannot decode the text (not UTF-8)", subject=path,
                             fix="save it as UTF-8 text") from None
