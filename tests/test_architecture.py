"""House rules that keep the code readable: no import cycles, the library never imports the CLI
and never prints, and no module grows past ~500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "realistcoder"
CLI = ROOT / "cli"


def _module_name(path: Path) -> str:
    if path.is_relative_to(CLI):
        parts = ("realistcoder", "cli", *path.relative_to(CLI).with_suffix("").parts)
    else:
        parts = ("realistcoder", *path.relative_to(LIBRARY).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = [*LIBRARY.rglob("*.py"), *CLI.rglob("*.py")]
    return {_module_name(p): p for p in files}


def _top_level_imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of ours imported at module level (imports inside functions are lazy: not edges)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def test_no_import_cycles():
    sources = _sources()
    graph = {name: _top_level_imports(path, set(sources)) for name, path in sources.items()}
    # a package's __init__ importing its own submodules is not a cycle worth flagging
    for name, edges in graph.items():
        graph[name] = {e for e in edges if e != name and not e.startswith(name + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)


def test_library_never_imports_the_cli_nor_prints():
    for path in LIBRARY.rglob("*.py"):
        if path.name == "__main__.py":  # `python -m realistcoder` is the CLI's entry point
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("realistcoder.cli"), f"{path} imports the CLI"
                assert node.module != "click", f"{path} imports click (UI belongs in cli/)"
            if isinstance(node, ast.Import):
                assert all(a.name != "click" for a in node.names), f"{path} imports click"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("print", "input"):
                raise AssertionError(f"{path}:{node.lineno} prints or prompts")


def test_no_module_past_500_lines():
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in [*LIBRARY.rglob("*.py"), *CLI.rglob("*.py")]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    ]
    assert not long, long


# Modules that cost every command time at start-up (pandas alone is a third of a second):
# commands import them where they are used, never at the CLI's module level.
HEAVY = ("sqlite_utils", "pandas", "numpy", "realistcoder.audit", "spacy", "sklearn",
         "matplotlib", "openpyxl", "docx", "lxml", "yaml", "rapidfuzz", "pypdfium2",
         "pdfplumber", "bibtexparser", "rispy", "importlib.metadata",
         "realistcoder.ingest.pipeline", "realistcoder.propose.matcher")


def _heavy_modules_loaded(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter; return the heavy modules it ended up importing."""
    import json
    import subprocess
    import sys

    probe = (f"import sys, json\n{code}\n"
             f"heavy = {HEAVY!r}\n"
             "print(json.dumps(sorted(m for m in sys.modules "
             "if any(m == h or m.startswith(h + '.') for h in heavy))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    return json.loads(out.splitlines()[-1])


def test_the_cli_root_imports_no_heavy_module():
    assert _heavy_modules_loaded("import realistcoder.cli.main") == []


def test_help_and_version_import_no_heavy_module():
    for args in (["--help"], ["--version"], ["review", "--help"]):
        code = ("from realistcoder.cli.main import cli\n"
                f"try:\n    cli({args!r}, prog_name='realistcoder')\n"
                "except SystemExit:\n    pass")
        # --version reads the installed version (importlib.metadata) only when asked
        loaded = _heavy_modules_loaded(code)
        if args == ["--version"]:
            loaded = [m for m in loaded if not m.startswith("importlib.metadata")]
        assert loaded == [], args


def test_everyday_commands_import_no_heavy_module(tmp_path):
    """documents, status and decide on a real store: their whole run stays light."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    from test_review_support import seed

    db = tmp_path / "review.db"
    ids = seed(db)
    proposal = ids["proposals"][0]
    for args in (["documents"], ["status"],
                 ["decide", str(proposal), "--accept", "--reviewer", "alice"],
                 ["decide", str(proposal), "--reject", "--reviewer", "alice"]):
        code = ("from realistcoder.cli.main import cli\n"
                f"try:\n    cli(['--db', {str(db)!r}, *{args!r}], prog_name='realistcoder')\n"
                "except SystemExit as exit:\n    assert not exit.code, exit.code")
        assert _heavy_modules_loaded(code) == [], args


FORKED_LOOKUP = """
import json, os, sys
import click
from realistcoder.cli.main import cli, COMMANDS
found = {}
for name in COMMANDS:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # a fresh lookup: only what this command's modules register
        os.close(r)
        command = cli.get_command(click.Context(cli), name)
        subs = sorted(command.commands) if isinstance(command, click.Group) else []
        mods = sorted(m for m in sys.modules if m.startswith("realistcoder.cli."))
        os.write(w, json.dumps([command is not None, subs, mods]).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        found[name] = json.loads(fh.read())
    os.waitpid(pid, 0)
print(json.dumps(found))
"""


def test_each_command_is_found_in_the_modules_named_for_it():
    """The root imports a command's module on demand (cli/main.py COMMANDS): every command and
    every subcommand must be found from its own modules, and `decide` loads no other."""
    import importlib
    import json
    import subprocess
    import sys

    import click
    import pytest

    if not hasattr(__import__("os"), "fork"):
        pytest.skip("needs os.fork")
    from realistcoder.cli.main import COMMANDS, cli

    for modules in COMMANDS.values():
        for module in modules:
            importlib.import_module(f"realistcoder.cli.{module}")
    assert set(cli.commands) == set(COMMANDS)  # every command is named in COMMANDS
    out = subprocess.run([sys.executable, "-c", FORKED_LOOKUP], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    for name, (ok, subs, _) in json.loads(out).items():
        command = cli.commands[name]
        assert ok, name
        if isinstance(command, click.Group):
            assert subs == sorted(command.commands), name
    _, _, loaded = json.loads(out)["decide"]
    assert not {"realistcoder.cli.audit", "realistcoder.cli.export", "realistcoder.cli.propose",
                "realistcoder.cli.codebook", "realistcoder.cli.cmoc"} & set(loaded)


def test_the_help_summaries_match_the_commands():
    """`realistcoder --help` lists commands from cli/main.py SUMMARIES without importing them:
    each must read as its command's own docstring does."""
    import importlib

    from realistcoder.cli.main import COMMANDS, SUMMARIES, cli

    assert set(SUMMARIES) == set(COMMANDS)
    for name, modules in COMMANDS.items():
        for module in modules:
            importlib.import_module(f"realistcoder.cli.{module}")
        assert SUMMARIES[name] == cli.commands[name].get_short_help_str(1000), name
