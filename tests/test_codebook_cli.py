"""`realistcoder codebook validate|show|load|export|list` through the CLI."""

from __future__ import annotations

from pathlib import Path

from realistcoder.codebook import load_codebook

ROOT = Path(__file__).resolve().parents[1]
CODEBOOKS = ROOT / "codebooks"
DATA = Path(__file__).parent / "data" / "codebooks"
REALIST = CODEBOOKS / "mcp-realist.yaml"


def test_validate_ok_and_broken(rc):
    shipped = sorted(CODEBOOKS.glob("*.yaml"))
    assert len(shipped) >= 4  # mcp-realist, mcp-components, logic-model, com-b
    out = rc("codebook", "validate", *shipped).stdout
    assert out.count(": ok (") == len(shipped)
    result = rc("codebook", "validate", REALIST, DATA / "broken.yaml", ok=False)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{DATA / 'broken.yaml'}:10: code 'trust' has unknown role 'contxt'" in lines[0]
    assert sum(line.startswith(str(DATA / "broken.yaml")) for line in lines) >= 11
    assert lines[-1].startswith("error: ") and "1 of 2 codebooks failed" in lines[-1]
    assert "Traceback" not in result.output


def test_validate_strict_fails_on_warnings(rc, tmp_path):
    path = tmp_path / "warn.yaml"
    path.write_text("name: w\nversion: '1'\ncodes:\n  - id: a\n    label: A\n"
                    "    role: context\n    terms: [care, mutual trust, Mutual trust]\n")
    assert "2 warnings" in rc("codebook", "validate", path).stdout
    result = rc("codebook", "validate", "--strict", path, ok=False)
    assert result.exit_code == 1 and f"{path}:7: warning: term 'care'" in result.stderr


def test_show_file_tree(rc):
    out = rc("codebook", "show", REALIST).stdout
    n = len(load_codebook(REALIST).codes)
    assert out.startswith(f"mcp-realist 1.0  ({n} codes, 8 theories")
    workforce = out.split("\nworkforce ")[1].split("\n\n")[0]
    assert "  context\n    t1_trust_between_professionals  Trust between professionals  (" in (
        workforce)
    assert "t1_willingness [reasoning]" in workforce
    assert "  other\n    workforce_risks  Unintended consequences" in workforce
    assert "  context\n    t1_trust" in workforce and "\n    risk_wf_recruitment_retention " in (
        workforce)


def test_show_without_arguments_lists_shipped_codebooks(rc):
    out = rc("codebook", "show").stdout
    assert "mcp-realist.yaml" in out and "logic-model.yaml" in out


def test_load_is_idempotent_and_versions_changes(rc, tmp_path):
    out = rc("codebook", "load", REALIST).stdout
    n = len(load_codebook(REALIST).codes)
    assert out.startswith(f"stored codebook #1: mcp-realist version 1.0 ({n} codes)")
    assert "unchanged" in rc("codebook", "load", REALIST).stdout
    changed = tmp_path / "mcp-realist.yaml"
    changed.write_text(REALIST.read_text().replace("[protected time,", "[protected hours,"))
    result = rc("codebook", "load", changed)
    assert "stored codebook #2" in result.stdout and "replacing #1" in result.stdout
    assert "changes since #1: 1 with changed terms (t2_time_for_engagement)" in result.stdout
    assert "consider raising `version:`" in result.stderr
    listing = rc("codebook", "list").stdout.splitlines()
    assert len(listing) == 3 and listing[2].lstrip().startswith("2*")
    assert "   1 " in listing[1] and "*" not in listing[1].split()[0]
    shown = rc("codebook", "show", "--stored").stdout
    assert shown.startswith("#2 mcp-realist 1.0")


def test_load_refuses_a_broken_codebook_and_stores_nothing(rc):
    result = rc("codebook", "load", REALIST, DATA / "broken.csv", ok=False)
    assert result.exit_code == 1
    assert f"{DATA / 'broken.csv'}:3:" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "No codebooks stored" in rc("codebook", "list").stderr


def test_export_formats_and_stored(rc, tmp_path):
    for suffix in (".qdc", ".yaml", ".csv", ".md", ".xlsx"):
        out = tmp_path / f"book{suffix}"
        assert "wrote" in rc("codebook", "export", REALIST, "-o", out).stderr
        assert out.stat().st_size > 1000
    assert load_codebook(tmp_path / "book.qdc") == load_codebook(REALIST)
    rc("codebook", "load", DATA / "good.csv")
    rc("codebook", "export", "--stored", "good", "-o", tmp_path / "stored.yaml")
    assert load_codebook(tmp_path / "stored.yaml").codes == load_codebook(DATA / "good.csv").codes
    md = rc("codebook", "export", REALIST, "-o", "-", "--format", "md").stdout
    assert md.startswith("# Codebook: mcp-realist")


def test_export_usage_errors(rc, tmp_path):
    source = tmp_path / "mine.yaml"
    source.write_text(REALIST.read_text())
    result = rc("codebook", "export", source, "-o", source, ok=False)
    assert result.exit_code == 2 and "would overwrite" in result.stderr
    assert source.read_text() == REALIST.read_text()
    result = rc("codebook", "export", REALIST, "-o", tmp_path / "book.json", ok=False)
    assert result.exit_code == 2 and "cannot tell the format" in result.stderr
    rc("codebook", "load", DATA / "good.csv")
    result = rc("codebook", "export", "--stored", "nothing", "-o", tmp_path / "x.yaml", ok=False)
    assert result.exit_code == 1 and "no stored codebook named 'nothing'" in result.stderr
    assert "stored: good" in result.stderr
