"""Writing output files all or nothing.

Every export writes to a hidden ``.NAME.part`` beside the target and renames it over the target
only once it is complete, so a full disk, a crash or Ctrl-C never leaves a half-written or empty
file where a good one was, and every write failure becomes one line naming the file and the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from realistcoder.errors import InputError, RealistCoderError


@contextmanager
def atomic_output(path: Path, error: type[RealistCoderError] = InputError) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on failure it is gone.

    ``OSError`` inside the block (permission, full disk, vanished share) is raised as ``error``.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise error("the folder does not exist", subject=path.parent,
                    fix="create it first, or pass another -o path")
    tmp = path.with_name(f".{path.name}.part")
    try:
        yield tmp
        tmp.replace(path)
    except PermissionError as err:
        raise error(f"cannot write: {(err.strerror or str(err)).lower()}", subject=path,
                    fix="close the file if a program has it open, or pick another path"
                    ) from None
    except OSError as err:
        raise error(f"cannot write: {(err.strerror or str(err)).lower()}", subject=path,
                    fix="free disk space or pick another folder you may write to, then run "
                    "it again") from None
    finally:
        tmp.unlink(missing_ok=True)
