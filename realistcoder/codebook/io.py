"""Load a codebook from any supported file (validated, or refused with every problem) and write it.

Formats go by file extension: ``.yaml``/``.yml``, ``.csv``, ``.xlsx``, ``.qdc``, and the
codebook inside a REFI-QDA project (``.qdpx`` / ``.qde``) to read; ``.yaml``, ``.csv``,
``.xlsx``, ``.qdc`` and ``.md`` to write.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from realistcoder.codebook import markdown, qdc, table_format, yaml_format
from realistcoder.codebook.build import Problem, build_codebook
from realistcoder.codebook.model import Codebook
from realistcoder.codebook.validate import validate
from realistcoder.errors import CodebookError
from realistcoder.files import atomic_output

READERS: dict[str, Callable[[Path], tuple[object, list[Problem]]]] = {
    ".csv": table_format.read_csv,
    ".xlsx": table_format.read_xlsx,
    ".qdc": qdc.read_qdc,
    ".qdpx": qdc.read_project_codebook,  # a project's own codebook (NVivo, ATLAS.ti, ...)
    ".qde": qdc.read_project_codebook,
}
READ_EXTENSIONS = (".yaml", ".yml", ".csv", ".xlsx", ".qdc", ".qdpx", ".qde")
WRITE_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx", ".qdc": "qdc",
                 ".md": "md"}
DEFAULT_CODEBOOK = "mcp-realist.yaml"


def _read_yaml(path: Path):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        return None, [Problem(None, f"not UTF-8 text ({err.reason} at byte {err.start}): save "
                              "the file as UTF-8")]
    return yaml_format.parse_yaml(text)


def check_codebook(path: str | Path) -> tuple[Codebook | None, list[Problem]]:
    """Read and validate ``path`` (a file, or a shipped codebook's id such as
    ``mcp-components``): the codebook (None if unreadable) and every problem."""
    path = resolve_codebook(path)
    suffix = path.suffix.lower()
    if not suffix and not path.exists():  # a stored codebook's name given as FILE
        raise CodebookError("no such file, and no shipped codebook of that id", subject=path,
                            fix=f"shipped codebooks: {', '.join(shipped_ids())}; a codebook "
                            f"stored in --db is named with --stored {path}")
    if suffix not in READ_EXTENSIONS:
        raise CodebookError(
            f"unknown codebook format {suffix or '(no extension)'!r}", subject=path,
            fix=f"use one of {', '.join(READ_EXTENSIONS)}")
    if not path.is_file():
        raise CodebookError("no such file", subject=path,
                            fix=f"check the path (shipped codebooks: {', '.join(shipped_ids())})")
    reader = _read_yaml if suffix in (".yaml", ".yml") else READERS[suffix]
    try:
        raw, problems = reader(path)
    except OSError as err:
        raise CodebookError(f"cannot read the file: {err.strerror or err}", subject=path) from err
    except Exception as err:  # a damaged XLSX (zip) or similar
        problems, raw = [Problem(None, f"cannot read as {suffix}: {type(err).__name__}: "
                                 f"{' '.join(str(err).split())}")], None
    if raw is None:
        return None, problems
    codebook, built = build_codebook(raw, default_name=path.stem, source=str(path))
    problems = problems + built
    # spaCy patterns are only checked once the structure is sound (keeps the messages few)
    problems += validate(codebook, check_patterns=True)
    return codebook, sorted(problems, key=lambda p: (p.line or 0))


def format_problems(path: str | Path, problems: list[Problem]) -> list[str]:
    return [p.format(str(path)) for p in problems]


def load_codebook(path: str | Path, *, warnings: list[str] | None = None) -> Codebook:
    """The validated codebook in ``path``; raises :class:`CodebookError` listing every problem.

    ``CodebookError.problems`` holds one ``"FILE:LINE: message"`` string per problem. Warnings
    (duplicate or very generic terms) do not stop loading; pass a list to collect them.
    """
    codebook, problems = check_codebook(path)
    errors = [p for p in problems if not p.warning]
    if warnings is not None:
        warnings.extend(format_problems(path, [p for p in problems if p.warning]))
    if codebook is None or errors:
        lines = format_problems(path, errors)
        first = errors[0] if errors else Problem(None, "unreadable")
        where = f"line {first.line}: " if first.line else ""
        raise CodebookError(
            f"the codebook has {len(errors)} problem{'s' * (len(errors) != 1)}; first, "
            f"{where}{first.message}",
            subject=path,
            fix=f"run `realistcoder codebook validate {path}` to list them all",
            problems=lines,
        )
    return codebook


def codebook_to_text(codebook: Codebook, fmt: str) -> str:
    """``fmt`` is yaml, csv or md."""
    writers = {"yaml": yaml_format.dump_yaml, "csv": table_format.write_csv,
               "md": markdown.write_markdown}
    return writers[fmt](codebook)


def write_codebook(codebook: Codebook, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``codebook`` to ``path`` in ``fmt`` (by default from the extension)."""
    path = Path(path)
    fmt = fmt or WRITE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CodebookError(
            f"cannot tell the export format from {path.suffix or 'no extension'!r}",
            subject=path, fix=f"name the file with one of {', '.join(sorted(WRITE_FORMATS))}")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        table_format.write_xlsx(codebook, buffer)
        data = buffer.getvalue()
    elif fmt == "qdc":
        data = qdc.write_qdc(codebook, origin=_origin())
    else:
        data = codebook_to_text(codebook, fmt).encode("utf-8")
    with atomic_output(path, CodebookError) as tmp:
        tmp.write_bytes(data)
    return path


def _origin() -> str:
    from realistcoder import __version__

    return f"realistcoder {__version__}"


def codebooks_dir() -> Path:
    """Where the shipped codebooks are: the installed package data, else the source tree."""
    try:
        # codebooks/ has no __init__.py: an installed copy is a namespace package, whose
        # files() is a MultiplexedPath; joining a file name gives a real path
        candidate = resources.files("realistcoder.codebooks") / DEFAULT_CODEBOOK
        if candidate.is_file():
            return Path(str(candidate)).parent
    except (ModuleNotFoundError, TypeError, NotADirectoryError):
        pass
    return Path(__file__).resolve().parents[2] / "codebooks"


def default_codebook_path() -> Path:
    """``codebooks/mcp-realist.yaml``, the codebook ``propose`` uses when none is given."""
    return codebooks_dir() / DEFAULT_CODEBOOK


def shipped_codebooks() -> list[Path]:
    return sorted(codebooks_dir().glob("*.yaml"))


def shipped_ids() -> list[str]:
    """The shipped codebooks' ids: their file names without ``.yaml`` (``mcp-components``)."""
    return [p.stem for p in shipped_codebooks()]


def resolve_codebook(ref: str | Path) -> Path:
    """``ref`` as a path when such a file exists (or it names a folder); else the shipped
    codebook it names by id (``mcp-components`` or ``mcp-components.yaml``); else unchanged."""
    path = Path(ref)
    if path.exists() or len(path.parts) != 1:
        return path
    name = path.name.lower()
    for shipped in shipped_codebooks():
        if name in (shipped.stem.lower(), shipped.name.lower()):
            return shipped
    return path
