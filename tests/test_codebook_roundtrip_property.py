"""Property: any valid codebook survives every export format unchanged (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from realistcoder.codebook import Code, Codebook, Theory, load_codebook, write_codebook

TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF,
                             blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
               max_size=30).map(lambda s: " ".join(s.split())).filter(bool)
ITEM = TEXT.filter(lambda s: ";" not in s and "|" not in s)
IDS = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)


@st.composite
def codebooks(draw) -> Codebook:
    theories = [Theory(t, draw(TEXT), draw(st.just("") | TEXT))
                for t in draw(st.lists(IDS, min_size=1, max_size=3, unique=True))]
    ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    codes = []
    for i, cid in enumerate(ids):
        role = draw(st.sampled_from(["context", "mechanism", "outcome", "other"]))
        parent = draw(st.none() | st.sampled_from(ids[:i])) if i else None
        code = Code(
            id=cid, label=draw(TEXT), role=role,
            theory=draw(st.sampled_from([t.id for t in theories])),
            mechanism_type=draw(st.sampled_from(["resource", "reasoning"]))
            if role == "mechanism" else None,
            parent=parent, description=draw(st.just("") | TEXT),
            inclusion=draw(st.just("") | TEXT), examples=draw(st.lists(ITEM, max_size=2)),
            terms=draw(st.lists(ITEM, min_size=1, max_size=4, unique_by=str.casefold)),
        )
        codes.append(code)
    # the YAML layout nests children under parents: order codes depth-first, as a reader would
    ordered: list[Code] = []

    def visit(code: Code) -> None:
        ordered.append(code)
        for child in (c for c in codes if c.parent == code.id):
            visit(child)

    for root in (c for c in codes if c.parent is None):
        visit(root)
    # a child written under its parent inherits the parent's theory when it has the same one;
    # make children explicit about theory/role so that inheritance cannot change them
    return Codebook(draw(IDS), draw(st.sampled_from(["1", "1.0", "2.3b"])),
                    draw(st.just("") | TEXT), theories, ordered)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codebooks())
@example(Codebook("f", "1", "=x", [Theory("a", "=0")], [  # spreadsheet formulas stay text
    Code("a", "=0", "context", theory="a", inclusion="=SUM(A1)", terms=["+1", "@x"])]))
def test_every_format_round_trips(codebook):
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".yaml", ".qdc", ".xlsx"):
            again = load_codebook(write_codebook(codebook, Path(tmp) / f"book{suffix}"))
            assert again == codebook, suffix
        again = load_codebook(write_codebook(codebook, Path(tmp) / "book.csv"))
        assert again.codes == codebook.codes
