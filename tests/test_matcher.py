"""The matcher on its own: lemmas, fuzzy repairs, patterns, excludes, cues, negation, hedging."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realistcoder.codebook.model import Code, Codebook, Theory
from realistcoder.errors import CodebookError
from realistcoder.propose.matcher import CodebookMatcher, propose_text

CODEBOOK = Codebook(
    name="matcher-test",
    version="1",
    theories=[Theory("workforce", "New roles"), Theory("design", "Contracting")],
    codes=[
        Code("confidence", "Staff confidence", "mechanism", theory="workforce",
             mechanism_type="reasoning", terms=["feel more confident", "confidence"]),
        Code("collaboration", "Collaboration", "mechanism", theory="workforce",
             mechanism_type="reasoning", terms=["collaboration", "trust between professionals"]),
        Code("fewer_ae", "Fewer A&E attendances", "outcome", theory="workforce",
             terms=["reduction in A&E attendances", "A&E attendances"],
             exclude=["paediatric A&E"]),
        Code("culture", "Organisational culture", "context", theory="design",
             terms=["organisational culture", "protected time"]),
        Code("shared_data", "Shared data", "context", theory="design",
             terms=["shared data", "access to data"]),
        Code("training_pattern", "Training for a purpose", "context", theory="workforce",
             patterns=[[{"LEMMA": "Train"}, {"LOWER": "for"}, {"IS_ALPHA": True}]]),
    ],
)


def props(text: str, codebook: Codebook = CODEBOOK) -> dict[str, object]:
    return {p.code: p for p in propose_text(text, codebook)}


def test_lemma_matching_across_inflection_and_case():
    found = props("Staff Felt More Confident after the training.")
    p = found["confidence"]
    assert p.method == "lemma"
    span = next(m for m in p.matched if m["kind"] == "term")
    assert span["text"] == "Felt More Confident" and span["term"] == "feel more confident"


def test_british_and_american_spellings_meet():
    assert "culture" in props("The organizational culture of the practices differed.")
    assert "culture" in props("Organisational cultures clashed.")


def test_matched_offsets_point_into_the_sentence():
    text = "In sites with shared data, staff felt more confident."
    for p in propose_text(text, CODEBOOK):
        for m in p.matched:
            assert text[m["start"] : m["end"]] == m["text"]


def test_negation_lowers_the_score_and_flags_it():
    plain = props("There was a reduction in A&E attendances.")["fewer_ae"]
    negated = props("There was no reduction in A&E attendances.")["fewer_ae"]
    assert "negated" in negated.flags and "negated" not in plain.flags
    assert negated.score < plain.score
    assert any(m["kind"] == "negation" for m in negated.matched)


def test_negation_after_the_match_and_pseudo_negation():
    assert "negated" in props("A&E attendances did not change.")["fewer_ae"].flags
    assert "negated" not in props("Not only did A&E attendances fall.")["fewer_ae"].flags


def test_negation_stops_at_a_clause_boundary():
    p = props("No training was offered, but A&E attendances fell.")["fewer_ae"]
    assert "negated" not in p.flags


def test_hedging_lowers_the_score_and_flags_it():
    plain = props("The scheme cut A&E attendances.")["fewer_ae"]
    hedged = props("The scheme might cut A&E attendances.")["fewer_ae"]
    assert "hedged" in hedged.flags and hedged.score < plain.score


def test_outcome_after_a_causal_cue_scores_higher():
    bare = props("Staff noted a reduction in A&E attendances.")["fewer_ae"]
    cued = props("The new roles led to a reduction in A&E attendances.")["fewer_ae"]
    assert cued.score > bare.score
    assert any(m["kind"] == "cue" and m["text"] == "led to" for m in cued.matched)


def test_context_cue_sharpens_context_over_outcome():
    context = props("In sites with shared data, the teams met weekly.")["shared_data"]
    plain = props("The teams discussed shared data weekly.")["shared_data"]
    assert context.score > plain.score
    # the condition ends at the comma: the mechanism after it is not read as context
    after = props("Where there was protected time, staff felt more confident.")
    assert "cue_conflict" not in after["confidence"].flags


def test_cue_pointing_at_another_role_lowers_the_score():
    bare = props("The teams used shared data.")["shared_data"]
    conflict = props("The new roles led to shared data.")["shared_data"]
    assert "cue_conflict" in conflict.flags and conflict.score < bare.score
    before = props("Staff confidence was built where there was protected time.")
    assert before["culture"].score > props("Staff had protected time.")["culture"].score


def test_fuzzy_catches_misspelling_and_pdf_artefacts():
    misspelt = props("Better colaboration between practices helped.")["collaboration"]
    assert misspelt.method == "fuzzy"
    span = next(m for m in misspelt.matched if m["kind"] == "fuzzy")
    assert span["text"] == "colaboration" and 85 <= span["similarity"] < 100
    glued = props("It improvedcollaboration between teams.")["collaboration"]
    assert glued.method == "fuzzy"
    split = props("The organisa tion culture changed slowly.")["culture"]
    assert split.method == "fuzzy"
    assert split.matched[0]["text"].startswith("organisa tion")
    # a fuzzy match scores below the same exact match
    exact = props("Better collaboration between practices helped.")["collaboration"]
    assert misspelt.score < exact.score


def test_fuzzy_leaves_real_english_words_alone():
    # "collaborative" is a word, not a broken "collaboration": the lemma decides, not fuzz
    assert "collaboration" not in props("A collaborative approach was used.")


def test_exclude_terms_veto_a_code():
    assert "fewer_ae" in props("A&E attendances fell.")
    assert "fewer_ae" not in props("Paediatric A&E attendances fell.")


def test_patterns_match_with_normalised_lemmas():
    p = props("Nurses were trained for triage.")["training_pattern"]
    assert p.method == "pattern" and p.matched[0]["text"] == "trained for triage"


def test_several_terms_score_higher_and_method_combined():
    one = props("There was more collaboration.")["collaboration"]
    two = props("There was trust between professionals and more colaboration.")["collaboration"]
    assert two.score > one.score and two.method == "combined"


def test_shared_terms_are_less_specific():
    codebook = Codebook("shared", "1", codes=[
        Code("a", "A", "context", terms=["confidence"]),
        Code("b", "B", "outcome", terms=["confidence"]),
        Code("c", "C", "outcome", terms=["satisfaction"]),
    ])
    found = props("Confidence and satisfaction improved.", codebook)
    assert found["a"].score < found["c"].score


def test_bad_pattern_is_a_codebook_error():
    codebook = Codebook("bad", "1", codes=[
        Code("x", "X", "context", patterns=[[{"NOT_AN_ATTR": "y"}]]),
    ])
    with pytest.raises(CodebookError):
        CodebookMatcher(codebook)


WORDS = ["staff", "felt", "more", "confident", "no", "not", "led", "to", "a", "reduction", "in",
         "A&E", "attendances", "colaboration", "may", "where", "there", "was", ",", ";", "but",
         "shared", "data", "organisa", "tion", "culture", "paediatric", "because", "trained"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25))
def test_scores_and_offsets_are_always_valid(words):
    text = " ".join(words)
    for p in propose_text(text, CODEBOOK):
        assert 0.0 <= p.score <= 1.0
        assert p.method in {"lemma", "pattern", "fuzzy", "combined"}
        for m in p.matched:
            assert text[m["start"] : m["end"]] == m["text"]


def test_near_match_finds_the_words_of_a_term_apart():
    found = props("Staff described trust built slowly between the professionals.")
    hit = found["collaboration"]
    near = [m for m in hit.matched if m["kind"] == "near"]
    assert {m["text"] for m in near} == {"trust", "professionals"}
    exact = props("There was trust between professionals.")["collaboration"]
    assert hit.score < exact.score
    # too far apart is no match
    far = "Trust was low in the first year of the scheme, as several of the professionals said."
    assert "collaboration" not in props(far)


def test_sentences_about_the_study_are_discounted_and_flagged():
    finding = props("Staff felt more confident in the second year.")["confidence"]
    methods = props("A questionnaire asked whether staff felt more confident.")["confidence"]
    assert "methods" in methods.flags and methods.score < finding.score
    reference = props("Smith J, Jones K (2017) Why staff feel more confident. BMJ 3: 1-9.")
    assert "reference" in reference["confidence"].flags
    advice = props("2. Give staff time so that they feel more confident.")["confidence"]
    assert "recommendation" in advice.flags


def test_outcome_without_a_reported_change_is_discounted():
    change = props("A&E attendances fell in the second year.")["fewer_ae"]
    mention = props("The board discussed A&E attendances.")["fewer_ae"]
    assert "no_change" in mention.flags and "no_change" not in change.flags
    assert mention.score < change.score


def test_several_codebooks_match_in_one_pass():
    other = Codebook("other", "1", codes=[
        Code("ae_other", "A&E", "outcome", terms=["A&E attendances"]),
    ])
    matcher = CodebookMatcher([CODEBOOK, other])
    doc = matcher.nlp("A&E attendances fell.")
    found = {(p.codebook, p.code) for p in matcher.match(doc)}
    assert found == {(0, "fewer_ae"), (1, "ae_other")}


def test_the_pattern_gate_never_changes_what_patterns_find():
    """Sentences without a pattern's anchor word skip spaCy's Matcher; the results must be
    the same as running it on every sentence (IN lists, optional and TEXT tokens)."""
    book = Codebook(name="gate", version="1", theories=[Theory("t", "T")], codes=[
        Code("a", "A", "context", theory="t",
             patterns=[[{"LOWER": "in", "OP": "?"}, {"LEMMA": {"IN": ["huddle", "meeting"]}},
                        {"LOWER": "with"}]]),
        Code("b", "B", "outcome", theory="t",
             patterns=[[{"TEXT": "GP"}, {"IS_ALPHA": True}, {"LOWER": "fell"}]]),
    ])
    sentences = ["In huddles with nurses, issues were settled.", "Meeting with GPs weekly.",
                 "The GP referrals fell sharply.", "the gp referrals fell", "Nothing here.",
                 "A huddle, then with coffee."]
    gated = CodebookMatcher(book)
    assert gated.pattern_gate.words  # the gate is on for these patterns
    plain = CodebookMatcher(book)
    plain.pattern_gate.words = None
    for text in sentences:
        got = [(p.code, p.score) for p in gated.match(gated.nlp(text))]
        assert got == [(p.code, p.score) for p in plain.match(plain.nlp(text))], text
    assert any(gated.match(gated.nlp(s)) for s in sentences)  # patterns did match somewhere
