"""docs/review-walkthrough.md works as written: every command in its ```console / ```sh blocks
runs, in order, on a fresh store in a temporary folder, and every output line the doc shows
appears in what the command really printed.

Supported lines: `realistcoder ...`, `printf '...' | realistcoder ...` (the keys typed),
`export REALISTCODER_DB=...`, `cp A B`. Where the doc asks the reader to fill in a worksheet,
the test does what the doc says (accept the rows scoring 0.5 or more, reject the rest; bob
uses 0.45) before the `import decisions` that follows.
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT

from realistcoder.cli.main import cli

DOC = ROOT / "docs" / "review-walkthrough.md"
THRESHOLDS = {"alice": 0.5, "bob": 0.45}


def doc_steps(text: str) -> list[tuple[str, list[str]]]:
    """(command, output lines shown under it) in document order."""
    steps: list[tuple[str, list[str]]] = []
    for kind, body in re.findall(r"```(console|sh)\n(.*?)```", text, flags=re.S):
        for line in body.splitlines():
            if kind == "sh":
                line = line.split(" #", 1)[0].rstrip()
                if line and not line.startswith("#"):
                    steps.append((line, []))
            elif line.startswith("$ "):
                steps.append((line[2:].split("  #", 1)[0].rstrip(), []))
            elif steps and kind == "console":
                steps[-1][1].append(line)
    return steps


def fill_worksheet(path: Path, threshold: float) -> None:
    """What the reader does in Excel: a decision on every row."""
    def decide(score) -> str:
        return "accept" if float(score) >= threshold else "reject"

    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            row["decision"] = decide(row["score"])
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    head = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[head.index("proposal_id")].value is not None:
            row[head.index("decision")].value = decide(row[head.index("score")].value)
    book.save(path)


def squash(text: str) -> str:
    return " ".join(text.split())


def check_shown(command: str, shown: list[str], out: str) -> None:
    actual = squash(out)
    for line in shown:
        want = squash(line)
        if not want or want in ("...", "…"):
            continue
        for part in re.split(r"\s*(?:\.\.\.|…)\s*", want):  # "..." elides text
            assert part in actual, f"`{command}` did not print {part!r}; it printed:\n{out}"


def run_step(runner: CliRunner, command: str, env: dict) -> str:
    keys = None
    if " | " in command:
        feed, command = command.split(" | ", 1)
        words = shlex.split(feed)
        assert words[0] == "printf", f"unsupported pipe in the doc: {feed}"
        keys = words[1].encode().decode("unicode_escape")
    words = shlex.split(command)
    if words[0] == "export":
        name, value = words[1].split("=", 1)
        env[name] = value
        return ""
    if words[0] == "cp":
        shutil.copyfile(words[1], words[2])
        return ""
    assert words[0] == "realistcoder", f"unsupported command in the doc: {command}"
    args = words[1:]
    if args[:2] == ["import", "decisions"] or (len(args) > 4 and args[2:4] == [
            "import", "decisions"]):
        reviewer = args[args.index("--reviewer") + 1]
        fill_worksheet(Path(args[args.index("decisions") + 1]), THRESHOLDS[reviewer])
    result = runner.invoke(cli, args, input=keys, env=env, catch_exceptions=False)
    out = result.stdout + result.stderr
    assert result.exit_code == 0, f"`{command}` exited {result.exit_code}:\n{out}"
    return out


def walk(doc: Path, tmp_path: Path, monkeypatch) -> None:
    """Run every step of ``doc`` in ``tmp_path`` (with a copy of the corpus) and check that
    each shows what it printed; WALKTHROUGH_DUMP=FILE writes the real outputs there."""
    steps = doc_steps(doc.read_text(encoding="utf-8"))
    assert len(steps) > 15
    shutil.copytree(CORPUS, tmp_path / "corpus")
    monkeypatch.chdir(tmp_path)
    env = {"COLUMNS": "80", "REALISTCODER_DB": str(tmp_path / "unset.db")}
    runner = CliRunner()
    dump = os.environ.get("WALKTHROUGH_DUMP")
    for command, shown in steps:
        out = run_step(runner, command, env)
        if dump:
            with open(dump, "a", encoding="utf-8") as handle:
                handle.write(f"$ {command}\n{out}\n")
        check_shown(command, shown, out)


@pytest.mark.slow
def test_walkthrough_runs_as_written(tmp_path, monkeypatch):
    walk(DOC, tmp_path, monkeypatch)


def test_walkthrough_commands_are_supported():
    """Fast check (the run itself is slow): the doc has commands, all of a supported kind."""
    steps = doc_steps(DOC.read_text(encoding="utf-8"))
    assert len(steps) > 15
    for command, _ in steps:
        head = shlex.split(command.split(" | ")[-1])[0]
        assert head in ("realistcoder", "export", "cp"), command
