"""Codebooks: the CMO codes a review team applies, with the terms that propose them.

``load_codebook(path)`` reads YAML, CSV, XLSX or REFI-QDA ``.qdc`` and validates it (raising
:class:`~realistcoder.errors.CodebookError` with every problem and its line); ``write_codebook``
exports to YAML, CSV, XLSX, ``.qdc`` or a Markdown table. See docs/codebook-format.md.

The readers and writers (``io``: YAML, lxml, openpyxl) load on first use, so that code needing
only the model (``ROLES``, ``Codebook``) does not pay for them.
"""

from __future__ import annotations

from realistcoder.codebook.model import MECHANISM_TYPES, ROLES, Code, Codebook, Theory

_IO_NAMES = ("check_codebook", "codebooks_dir", "default_codebook_path", "load_codebook",
             "resolve_codebook", "shipped_codebooks", "shipped_ids", "write_codebook")

__all__ = ["MECHANISM_TYPES", "ROLES", "Code", "Codebook", "Theory", *_IO_NAMES]


def __getattr__(name: str):
    if name in _IO_NAMES:
        from realistcoder.codebook import io

        return getattr(io, name)
    raise AttributeError(f"module 'realistcoder.codebook' has no attribute {name!r}")
