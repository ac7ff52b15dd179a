"""Codebooks: the CMO codes a review team applies, with the terms that propose them.

``load_codebook(path)`` reads YAML, CSV, XLSX or REFI-QDA ``.qdc`` and validates it (raising
:class:`~realistcoder.errors.CodebookError` with every problem and its line); ``write_codebook``
exports to YAML, CSV, XLSX, ``.qdc`` or a Markdown table. See docs/codebook-format.md.
"""

from realistcoder.codebook.io import (
    check_codebook,
    codebooks_dir,
    default_codebook_path,
    load_codebook,
    shipped_codebooks,
    write_codebook,
)
from realistcoder.codebook.model import MECHANISM_TYPES, ROLES, Code, Codebook, Theory

__all__ = [
    "MECHANISM_TYPES",
    "ROLES",
    "Code",
    "Codebook",
    "Theory",
    "check_codebook",
    "codebooks_dir",
    "default_codebook_path",
    "load_codebook",
    "shipped_codebooks",
    "write_codebook",
]
