"""Entry point: import every command module (each attaches its commands) and run the root group."""

from __future__ import annotations

from realistcoder.cli import (  # noqa: F401  (imported for their commands)
    attributes,
    audit,
    cmoc,
    cmoc_refine,
    codebook,
    export,
    flow,
    gaps,
    ingest,
    propose,
    report,
    review,
    segment,
    theory,
)
from realistcoder.cli.groups import cli


def main() -> None:
    cli(prog_name="realistcoder")


if __name__ == "__main__":
    main()
