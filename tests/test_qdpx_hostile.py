"""`import qdpx` does not trust the project: positions are checked against the source text,
unpacked sizes are bounded, and files outside the project are read only when named."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from realistcoder.store import open_store, review
from tests.conftest import CODEBOOKS, CORPUS

NOTE = CORPUS / "mdt-huddles-practice-note.md"
CODE = "t1_trust_between_professionals"
USER = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def store_rc(rc):
    rc("ingest", NOTE)
    rc("codebook", "load", CODEBOOKS / "mcp-realist.yaml")
    return rc


def _source_text() -> str:
    return NOTE.read_text(encoding="utf-8")


def _selection(k: int, start: str | None, end: str | None) -> str:
    attrs = "".join(f' {name}="{value}"' for name, value in
                    (("startPosition", start), ("endPosition", end)) if value is not None)
    return f"""
      <PlainTextSelection guid="dddddddd-2222-3333-4444-{k:012d}"{attrs}>
        <Coding guid="eeeeeeee-2222-3333-4444-{k:012d}" creatingUser="{USER}">
          <CodeRef targetGUID="aaaaaaaa-2222-3333-4444-555555555555"/>
        </Coding>
      </PlainTextSelection>"""


def _project(path: Path, selections: list[tuple[str | None, str | None]], *,
             text_path: str = "internal://cccccccc.txt", text: str | None = None,
             padding: int = 0) -> Path:
    body = "".join(_selection(k, s, e) for k, (s, e) in enumerate(selections))
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="elsewhere">
  <Users><User guid="{USER}" name="carol"/></Users>
  <CodeBook><Codes>
    <Code guid="aaaaaaaa-2222-3333-4444-555555555555" name="{CODE}" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="bbbbbbbb-2222-3333-4444-555555555555" name="{NOTE.name}"
                plainTextPath="{text_path}">{body}
    </TextSource>
  </Sources>
</Project>{" " * padding}"""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        if text_path.startswith("internal://"):
            archive.writestr("sources/cccccccc.txt", text if text is not None else _source_text())
    return path


def _codings(rc) -> list[dict]:
    with open_store(rc.db_path) as store:
        return review.current_codings(store, unblinded=True)


def _good_range() -> tuple[str, str]:
    text = _source_text()
    start = text.index("daily")
    return str(start), str(start + 40)


def test_a_good_selection_imports(store_rc, tmp_path):
    path = _project(tmp_path / "ok.qdpx", [_good_range()])
    result = store_rc("import", "qdpx", path)
    assert "imported 1 codings" in result.stdout
    assert len(_codings(store_rc)) == 1


@pytest.mark.parametrize("partial", [False, True])
def test_positions_outside_the_text_refuse_the_whole_import_with_a_list(store_rc, tmp_path,
                                                                        partial):
    bad = [("-999999", "99999999999999999999"), ("12", "abc"), (None, "40"), ("30", "10"),
           ("0", str(len(_source_text()) + 5))]
    path = _project(tmp_path / "bad.qdpx", [_good_range(), *bad])
    args = ["import", "qdpx", path] + (["--partial"] if partial else [])
    result = store_rc(*args, ok=False)
    assert result.exit_code == 1
    assert "unexpected error" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("error: ") and "5 selections" in lines[-1]
    assert "nothing imported" in lines[-1]
    listed = [line for line in lines if line.startswith("  ")]
    assert len(listed) == 5
    assert "-999999-99999999999999999999" in listed[0]
    assert "not whole numbers" in listed[1] and "missing" in listed[2]
    assert "not a range" in listed[3] and "past the end" in listed[4]
    assert _codings(store_rc) == []


def test_unpacked_size_is_bounded(store_rc, tmp_path):
    path = _project(tmp_path / "big.qdpx", [_good_range()], padding=3 * 2**20)
    assert path.stat().st_size < 100_000
    result = store_rc("import", "qdpx", path, "--max-unpacked", "2", ok=False)
    assert result.exit_code == 1
    assert "more than the limit of 2 MB" in result.stderr and "--max-unpacked 4" in \
        result.stderr
    assert _codings(store_rc) == []
    assert "imported 1 codings" in store_rc("import", "qdpx", path).stdout


def test_a_member_that_lies_about_its_size_is_refused_in_one_line(store_rc, tmp_path):
    path = _project(tmp_path / "liar.qdpx", [_good_range()], padding=2**20)
    data = bytearray(path.read_bytes())
    at = data.index(b"PK\x01\x02")  # the central directory entry of project.qde
    struct.pack_into("<I", data, at + 24, 1000)  # declared size: 1,000 bytes
    path.write_bytes(bytes(data))
    result = store_rc("import", "qdpx", path, ok=False)
    assert result.exit_code == 1 and "unexpected error" not in result.stderr
    assert "liar.qdpx" in result.stderr and "damaged" in result.stderr


def test_a_source_outside_the_project_is_read_only_when_named(store_rc, tmp_path):
    outside = tmp_path / "elsewhere" / "note.txt"
    outside.parent.mkdir()
    outside.write_text(_source_text(), encoding="utf-8")
    path = _project(tmp_path / "abs.qdpx", [_good_range()],
                    text_path=f"absolute://{outside}")
    refused = store_rc("import", "qdpx", path, ok=False)
    assert refused.exit_code == 1
    assert f"--read-source {outside}" in refused.stderr
    assert _codings(store_rc) == []
    other = tmp_path / "other-folder"
    other.mkdir()
    still = store_rc("import", "qdpx", path, "--read-source", other, ok=False)
    assert still.exit_code == 1
    allowed = store_rc("import", "qdpx", path, "--read-source", outside.parent)
    assert "imported 1 codings" in allowed.stdout
    assert len(_codings(store_rc)) == 1


def test_a_relative_path_cannot_climb_out_unnamed(store_rc, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(_source_text(), encoding="utf-8")
    project_dir = tmp_path / "projects"
    project_dir.mkdir()
    path = _project(project_dir / "rel.qdpx", [_good_range()],
                    text_path="relative://../secret.txt")
    refused = store_rc("import", "qdpx", path, ok=False)
    assert refused.exit_code == 1 and "--read-source" in refused.stderr
    assert _codings(store_rc) == []
