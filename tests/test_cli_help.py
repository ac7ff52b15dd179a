"""The front door: --version, python -m, and --help with an example on every command."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from realistcoder import __version__
from realistcoder.cli.main import cli


def _walk(group: click.Group, path: tuple[str, ...] = ()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _walk(command, (*path, name))


ALL_COMMANDS = list(_walk(cli))


def test_version(rc):
    result = rc("--version")
    assert __version__ in result.stdout


def test_python_dash_m_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "realistcoder", "--help"], capture_output=True, text=True,
        check=True,
    )
    assert "Usage:" in out.stdout and "ingest" in out.stdout


@pytest.mark.parametrize("path,command", ALL_COMMANDS, ids=[" ".join(p) for p, _ in ALL_COMMANDS])
def test_every_command_help_teaches_with_an_example(rc, path, command):
    result = rc(*path, "--help")
    assert "Usage:" in result.stdout
    assert "Example" in result.stdout, f"`realistcoder {' '.join(path)} --help` has no example"


def test_the_main_commands_exist():
    names = {" ".join(p) for p, _ in ALL_COMMANDS}
    expected = {
        "ingest", "documents", "sentences", "search", "segment", "export sentences",
        "codebook", "propose", "proposals", "export proposals", "review", "decide", "code",
        "uncode", "status", "merge", "appraise", "cmoc", "audit", "resolve",
        "export evidence", "export codings", "export worksheet", "import codings",
        "import decisions", "export qdpx", "import qdpx",
    }
    assert expected <= names, f"missing: {sorted(expected - names)}"
