"""Every package the code imports is declared in pyproject.toml, not merely installed.

A package that arrives only as another package's dependency (``click_default_group`` through
sqlite-utils, ``PIL`` through matplotlib) works until that package drops it; one that a test
imports but the ``[test]`` extra does not list works only on a machine where it happens to be
installed. The library and the CLI may use the runtime dependencies only; tests, benchmarks,
the corpus builder and the docs scripts may also use the ``[test]`` extra.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_FOLDERS = ("realistcoder", "cli")
TEST_FOLDERS = ("tests", "bench", "corpus", "docs")
# scripts run by another program's Python, never by ours: the QualCoder harness runs in
# QualCoder's environment (its slow test skips when that is not set up)
OUTSIDE = {"tests/qualcoder_harness.py"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(specs: list[str]) -> set[str]:
        return {_norm(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in specs}

    return names(project["dependencies"]), names(project["optional-dependencies"]["test"])


def _imports(path: Path) -> set[str]:
    """Top-level module names imported by a file, including ``pytest.importorskip("x")``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "importorskip"
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value).split(".")[0])
    return found


def _local_modules(folders: tuple[str, ...]) -> set[str]:
    """Modules of ours that scripts import by file name (tests' helpers, bench's devset)."""
    names = {"realistcoder", *folders}
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix == ".py" or (path.is_dir() and (path / "__init__.py").exists()):
                names.add(path.stem)
            elif path.is_dir():
                names.add(path.name)
    return names


def undeclared(folders: tuple[str, ...], allowed: set[str]) -> list[str]:
    distributions = packages_distributions()
    local = _local_modules(RUNTIME_FOLDERS + TEST_FOLDERS)
    problems = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if str(path.relative_to(ROOT)) in OUTSIDE:
                continue
            for module in sorted(_imports(path)):
                if module in sys.stdlib_module_names or module in local:
                    continue
                owners = {_norm(d) for d in distributions.get(module, [])}
                if not owners:
                    problems.append(f"{path.relative_to(ROOT)}: imports {module}, which no "
                                    "installed package provides")
                elif not owners & allowed:
                    problems.append(f"{path.relative_to(ROOT)}: imports {module} (from "
                                    f"{', '.join(sorted(owners))}), not declared")
    return problems


def test_the_library_and_cli_import_only_runtime_dependencies():
    runtime, _ = _declared()
    assert not undeclared(RUNTIME_FOLDERS, runtime)


def test_tests_and_scripts_import_only_declared_packages():
    runtime, test = _declared()
    assert not undeclared(TEST_FOLDERS, runtime | test)


def test_the_check_sees_an_undeclared_import(tmp_path):
    """The scan itself: a module imported only through another package is reported."""
    script = tmp_path / "uses_transitive.py"
    script.write_text("import click_default_group\nimport pytest\n"
                      "pytest.importorskip('sklearn.metrics')\n", encoding="utf-8")
    assert _imports(script) == {"click_default_group", "pytest", "sklearn"}
    owners = packages_distributions().get("click_default_group", [])
    assert owners and not {_norm(d) for d in owners} & {"sqlite-utils"}
