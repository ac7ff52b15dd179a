"""Shared fixtures: a CLI runner bound to a temporary store, and ../shared when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from realistcoder.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "corpus"
CODEBOOKS = ROOT / "codebooks"


@pytest.fixture
def shared() -> Path:
    """``../shared`` (real third-party PDFs and reference data); skips when it is absent."""
    if not (SHARED / "pdfs").is_dir():
        pytest.skip("../shared is absent: the third-party test PDFs live only there")
    return SHARED


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "review.db"


class Invoker:
    """Run ``realistcoder --db <tmp> ARGS`` in-process and return click's Result."""

    def __init__(self, db_path: Path):
        self.db_path = db_path
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, ok: bool = True, env=None):
        result = self.runner.invoke(
            cli, ["--db", str(self.db_path), *map(str, args)], input=input, env=env,
            catch_exceptions=False,
        )
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"realistcoder {' '.join(map(str, args))} exited {result.exit_code}:\n"
                f"{result.output}"
            )
        return result

    def jsonl(self, *args: str, env=None) -> list[dict]:
        out = self(*args, env=env).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture
def rc(db_path: Path) -> Invoker:
    """``rc("ingest", path)`` runs the CLI against a fresh temporary store."""
    return Invoker(db_path)
