"""realistcoder: NLP-assisted Context-Mechanism-Outcome coding for realist reviews.

The library follows the data: ``ingest`` (PDF -> clean text -> sentences), ``codebook``,
``propose`` (sentences x codebook -> scored proposals), ``review`` (attributed decisions),
``audit`` (inter-coder agreement) and ``export`` (evidence tables). ``store`` owns the SQLite file.
The library never prints or prompts; the click front end lives in ``realistcoder.cli``.
"""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed metadata on first use (importlib.metadata
    costs every command ~20 ms at start-up, and only --version and file headers need it)."""
    if name != "__version__":
        raise AttributeError(f"module 'realistcoder' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("realistcoder")
    except PackageNotFoundError:  # running from a source tree that was not installed
        value = "0.0.0+source"
    globals()["__version__"] = value
    return value
