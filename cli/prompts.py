"""One key from the reviewer, in the loops that go through suggestions one by one."""

from __future__ import annotations

import sys

import click

from realistcoder.cli.groups import echo

QUIT = "q"


def ask_key(question: str, default: str) -> str:
    """The first letter typed (lower case), ``q`` at the end of input. When standard input is
    not a terminal (a scripted session) the answer is echoed, so the transcript reads well."""
    try:
        answer = click.prompt(question, default=default,
                              show_default=False).strip().lower()[:1]
    except click.Abort:  # end of input
        return QUIT
    if not sys.stdin.isatty():
        echo(answer)
    return answer
