"""Text and Markdown files get a title and year, so that tables cite them properly."""

from __future__ import annotations


def test_markdown_heading_becomes_the_title_and_the_printed_date_the_year(rc, tmp_path):
    note = tmp_path / "note.md"
    note.write_text("# Huddles in community hubs\n\nLearning network, March 2019\n\n"
                    "Teams met daily. Staff felt listened to.\n", encoding="utf-8")
    plain = tmp_path / "plain.txt"
    plain.write_text("Teams met daily and staff felt listened to.\n", encoding="utf-8")
    rc("ingest", note, plain)
    docs = {d["file_name"]: d for d in rc.jsonl("documents", "--format", "jsonl")}
    assert docs["note.md"]["title"] == "Huddles in community hubs"
    assert docs["note.md"]["year"] == 2019
    assert docs["plain.txt"]["title"] is None  # a first sentence is not a title
