"""realistcoder: NLP-assisted Context-Mechanism-Outcome coding for realist reviews.

The library follows the data: ``ingest`` (PDF -> clean text -> sentences), ``codebook``,
``propose`` (sentences x codebook -> scored proposals), ``review`` (attributed decisions),
``audit`` (inter-coder agreement) and ``export`` (evidence tables). ``store`` owns the SQLite file.
The library never prints or prompts; the click front end lives in ``realistcoder.cli``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("realistcoder")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
