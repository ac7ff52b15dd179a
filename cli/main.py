"""Entry point: import every command module (each attaches its commands) and run the root group."""

from __future__ import annotations

from realistcoder.cli import (  # noqa: F401  (imported for their commands)
    audit,
    cmoc,
    codebook,
    export,
    ingest,
    propose,
    review,
    segment,
    simulate,
)
from realistcoder.cli.groups import cli
from realistcoder.cli.terminal import clean_terminal_output


def main() -> None:
    with clean_terminal_output():  # no control sequence from the data reaches a terminal
        cli(prog_name="realistcoder")


if __name__ == "__main__":
    main()
