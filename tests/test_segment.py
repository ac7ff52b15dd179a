"""Sentence segmentation: Golden Rules, scholarly cases, the offsets invariant, the CLI contract."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realistcoder.ingest.segment import Segmenter, sentences, spacy_pipeline, split_sentences

GOLDEN = SHARED / "bench" / "golden_rules_en.json"


def _golden_cases():
    if not GOLDEN.is_file():
        return [pytest.param(None, None, marks=pytest.mark.skip(
            reason="../shared is absent: the Golden Rules live in shared/bench"))]
    cases = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return [pytest.param(c["text"], c["sentences"], id=f"rule{i:02d}") for i, c in
            enumerate(cases)]


@pytest.mark.parametrize(("text", "expected"), _golden_cases())
def test_golden_rules(text, expected):
    assert sentences(text) == expected


# Our own cases, written in the style of health-services research papers.
SCHOLARLY = [
    # citations in parentheses and brackets, "et al."
    ("Nurse-led discharge reduced readmissions (Smith et al., 2019). Staff reported more time "
     "for patients.",
     ["Nurse-led discharge reduced readmissions (Smith et al., 2019).",
      "Staff reported more time for patients."]),
    ("As reported by Jones et al. (2020), continuity of care mattered. It was valued most by "
     "older patients.",
     ["As reported by Jones et al. (2020), continuity of care mattered.",
      "It was valued most by older patients."]),
    ("This was first described by Greenhalgh et al. The model has since been extended.",
     ["This was first described by Greenhalgh et al.", "The model has since been extended."]),
    ("Most trusts took part [12]. Three declined [13, 14]. One withdrew after the pilot [15].",
     ["Most trusts took part [12].", "Three declined [13, 14].",
      "One withdrew after the pilot [15]."]),
    ("Admissions fell by a third.12,13 However, costs rose.",
     ["Admissions fell by a third.12,13", "However, costs rose."]),
    # figures, pages, e.g. / i.e., approx., vs., cf., No.
    ("Waiting times fell in both sites (Fig. 2). Figs. 3 and 4 show the trends by month.",
     ["Waiting times fell in both sites (Fig. 2).", "Figs. 3 and 4 show the trends by month."]),
    ("Uptake was higher in urban practices, e.g. those with a practice nurse, than in rural "
     "ones, i.e. single-handed practices. This held across regions.",
     ["Uptake was higher in urban practices, e.g. those with a practice nurse, than in rural "
      "ones, i.e. single-handed practices.", "This held across regions."]),
    ("See pp. 12-15 for the topic guide. The codebook is in Appendix 2.",
     ["See pp. 12-15 for the topic guide.", "The codebook is in Appendix 2."]),
    ("Follow-up lasted approx. 12 months in the intervention arm vs. 6 months in the control "
     "arm. Attrition was low.",
     ["Follow-up lasted approx. 12 months in the intervention arm vs. 6 months in the control "
      "arm.", "Attrition was low."]),
    ("These findings echo earlier work (cf. Pawson and Tilley, 1997). Context matters.",
     ["These findings echo earlier work (cf. Pawson and Tilley, 1997).", "Context matters."]),
    ("The ward (No. 5) closed in 2018. Staff moved to ward No. 7.",
     ["The ward (No. 5) closed in 2018.", "Staff moved to ward No. 7."]),
    # numbers and statistics
    ("The effect was modest (OR 1.35, 95% CI 1.02-1.79; p = 0.03). Sensitivity analyses "
     "agreed.",
     ["The effect was modest (OR 1.35, 95% CI 1.02-1.79; p = 0.03).",
      "Sensitivity analyses agreed."]),
    ("Differences were significant (p < 0.05). They persisted at 12 months.",
     ["Differences were significant (p < 0.05).", "They persisted at 12 months."]),
    ("The mean score was 3.5. It did not change.", ["The mean score was 3.5.",
                                                     "It did not change."]),
    # titles, initials, degrees, countries, times
    ("Interviews were led by Dr. A. B. Khan and Prof. J. R. Smith. Both had clinical "
     "backgrounds.",
     ["Interviews were led by Dr. A. B. Khan and Prof. J. R. Smith.",
      "Both had clinical backgrounds."]),
    ("J. R. Smith led the synthesis. A. Patel checked it.",
     ["J. R. Smith led the synthesis.", "A. Patel checked it."]),
    ("Care homes in the U.K. and the U.S. differ in funding. How this shapes outcomes is "
     "unclear.",
     ["Care homes in the U.K. and the U.S. differ in funding.",
      "How this shapes outcomes is unclear."]),
    ("Funding came from the U.K. National Institute for Health Research.",
     ["Funding came from the U.K. National Institute for Health Research."]),
    ("A Ph.D. student coded the transcripts. A&E staff were interviewed separately.",
     ["A Ph.D. student coded the transcripts.", "A&E staff were interviewed separately."]),
    ("At 9 a.m. Dr. Osei opened the clinic.", ["At 9 a.m. Dr. Osei opened the clinic."]),
    ("Staff cited workload, rotas, etc. Managers cited budgets.",
     ["Staff cited workload, rotas, etc.", "Managers cited budgets."]),
    # quotes, ellipses, URLs, e-mail addresses
    ('Managers said that "targets crowd out judgement." Clinicians disagreed.',
     ['Managers said that "targets crowd out judgement."', "Clinicians disagreed."]),
    ('Patients asked "Who do I call?" when they got home. Few knew.',
     ['Patients asked "Who do I call?" when they got home.', "Few knew."]),
    ("One nurse said \u201cwe just \u2026 kept going\u201d despite the cuts. Others left.",
     ["One nurse said \u201cwe just \u2026 kept going\u201d despite the cuts.",
      "Others left."]),
    ("The protocol is at https://doi.org/10.1186/s13643-019-1234-5. Write to "
     "rc.team@leeds.ac.uk for data. Ethics approval was granted.",
     ["The protocol is at https://doi.org/10.1186/s13643-019-1234-5.",
      "Write to rc.team@leeds.ac.uk for data.", "Ethics approval was granted."]),
    ("Several apps were tested. mHealth tools were popular.",
     ["Several apps were tested.", "mHealth tools were popular."]),
    ("Most walked daily (in bouts of 10 minutes).13 The follow-up rate was high.",
     ["Most walked daily (in bouts of 10 minutes).13", "The follow-up rate was high."]),
    ("The difference was small.35 36 A likely reason is the sample.",
     ["The difference was small.35 36", "A likely reason is the sample."]),
    ("Use a SMART aim to focus the project. (For more on aims see Appendix D.) Then plan.",
     ["Use a SMART aim to focus the project.", "(For more on aims see Appendix D.)",
      "Then plan."]),
    ("\u201cI kinda just went into a bit of a trough.\u201d (Centre A, R1). Others coped.",
     ["\u201cI kinda just went into a bit of a trough.\u201d (Centre A, R1).",
      "Others coped."]),
    ("He said \u201c... I\u2019m not taking responsibility for you\u201d and left.",
     ["He said \u201c... I\u2019m not taking responsibility for you\u201d and left."]),
    ("I was tired... I went home anyway. Nobody noticed.",
     ["I was tired... I went home anyway.", "Nobody noticed."]),
    ("Two themes emerged. (A) Human resources. (B) Patient statistics.",
     ["Two themes emerged.", "(A) Human resources.", "(B) Patient statistics."]),
    ("Hindmarsh D, Lees L. Handover checklists. Acute Med. 2012;11(1):13-7.",
     ["Hindmarsh D, Lees L. Handover checklists.", "Acute Med. 2012;11(1):13-7."]),
    # captions
    ("Table 2. Characteristics of the included studies",
     ["Table 2. Characteristics of the included studies"]),
    # layout: headings, newlines, blank lines, lists
    ("Methods\nWe conducted a realist review of nurse-led clinics.",
     ["Methods", "We conducted a realist review of nurse-led clinics."]),
    ("Programme theories explained the variation.\n\nResults\nThirty studies were included.",
     ["Programme theories explained the variation.", "Results",
      "Thirty studies were included."]),
    ("2.1 Data sources\nWe searched MEDLINE and CINAHL.",
     ["2.1 Data sources", "We searched MEDLINE and CINAHL."]),
    ("Barriers to implementation\nStaff shortages limited uptake.",
     ["Barriers to implementation", "Staff shortages limited uptake."]),
    ("The programme ran in three\nhospitals and two community\nservices. Staff valued it.",
     ["The programme ran in three\nhospitals and two community\nservices.",
      "Staff valued it."]),
    ("Participants were recruited from\nNHS trusts in the north of England.",
     ["Participants were recruited from\nNHS trusts in the north of England."]),
    ("Patients were recruited in three\nNHS trusts in the north of England.",
     ["Patients were recruited in three\nNHS trusts in the north of England."]),
    ("Context, Mechanism And Outcome Configurations\nWe built twelve configurations.",
     ["Context, Mechanism And Outcome Configurations", "We built twelve configurations."]),
    ("Programme theories and their refinement\nWe refined the initial theories with "
     "stakeholders.",
     ["Programme theories and their refinement",
      "We refined the initial theories with stakeholders."]),
    ("Staff described the new rota. It was introduced by the\nNational Institute guidance.",
     ["Staff described the new rota.",
      "It was introduced by the\nNational Institute guidance."]),
    ("Key messages\n\nTrust enabled change", ["Key messages", "Trust enabled change"]),
    ("Three mechanisms were identified:\n\u2022 reassurance\n\u2022 ownership\n\u2022 peer "
     "support",
     ["Three mechanisms were identified:", "\u2022 reassurance", "\u2022 ownership",
      "\u2022 peer support"]),
    ("The review asked:\n1. What works for whom?\n2. In what circumstances?",
     ["The review asked:", "1. What works for whom?", "2. In what circumstances?"]),
    ("Eligible studies:\n(a) evaluated a discharge intervention;\n(b) reported readmissions.",
     ["Eligible studies:", "(a) evaluated a discharge intervention;",
      "(b) reported readmissions."]),
    ("Outcomes were:\n- fewer readmissions;\n- shorter stays.",
     ["Outcomes were:", "- fewer readmissions;", "- shorter stays."]),
    ("Staff were either\n(a) nurses or (b) allied professionals.",
     ["Staff were either\n(a) nurses or (b) allied professionals."]),
    ("Participants described 1) trust and 2) time as key.",
     ["Participants described 1) trust and 2) time as key."]),
    # a page break (form feed) inside a sentence keeps it whole, even on a line of its own
    ("Nurses valued continuity of\n\fcare. Managers valued flow.",
     ["Nurses valued continuity of\n\fcare.", "Managers valued flow."]),
    ("Funding came from the\n\f\nNational Health Service\nTrusts in two regions.",
     ["Funding came from the\n\f\nNational Health Service\nTrusts in two regions."]),
    # symbol-font bullets as PDFs map them
    ("Barriers:\n\uf0b7 staff turnover\n\uf0b7 unclear roles",
     ["Barriers:", "\uf0b7 staff turnover", "\uf0b7 unclear roles"]),
    # inline numbered items, and a structured abstract's labels
    ("The review had two aims: 1. Map the services 2. Explain the variation",
     ["The review had two aims:", "1. Map the services", "2. Explain the variation"]),
    ("The review had two aims: a) Map the services b) Explain the variation",
     ["The review had two aims:", "a) Map the services", "b) Explain the variation"]),
    ("Scores rose from 1. The next year they reached 2. Then they fell.",
     ["Scores rose from 1.", "The next year they reached 2.", "Then they fell."]),
    ("Objectives. To explain how nurse-led clinics work. Design. A realist review.",
     ["Objectives.", "To explain how nurse-led clinics work.", "Design.", "A realist review."]),
    # an inline "N." after a word, once a full sentence has ended, is a number, not an item
    ("1. Uptake was lower, as in case 1. In site 2. The team met weekly.",
     ["1. Uptake was lower, as in case 1.", "In site 2.", "The team met weekly."]),
    ("1. Introduction\n\nUptake differed by site. It was lowest in site 2. The team met "
     "weekly.",
     ["1. Introduction", "Uptake differed by site.", "It was lowest in site 2.",
      "The team met weekly."]),
    # a capital letter after a lowercase content word ends a sentence; initials stay
    ("Scores were higher in group A. Patients were older in arm B. They stayed longer.",
     ["Scores were higher in group A.", "Patients were older in arm B.",
      "They stayed longer."]),
    ("Few took vitamin D. Levels fell.", ["Few took vitamin D.", "Levels fell."]),
    ("The guide was written by A. Patel and checked with R. Jones.",
     ["The guide was written by A. Patel and checked with R. Jones."]),
    ("Staff met Jonas E. Smith and\nA. Patel.", ["Staff met Jonas E. Smith and\nA. Patel."]),
    # list items that wrap onto a second line, in a list with no colon before it
    ("Barriers\n- staff turnover and\nunclear roles\n- lack of time",
     ["Barriers", "- staff turnover and\nunclear roles", "- lack of time"]),
    ("The programme had three parts\n1. Training for staff who\nwere new\n2. A named nurse\n"
     "3. Follow-up calls",
     ["The programme had three parts", "1. Training for staff who\nwere new",
      "2. A named nurse", "3. Follow-up calls"]),
    ("Aims:\n(a) map the services across the\nregion\n(b) explain the variation",
     ["Aims:", "(a) map the services across the\nregion", "(b) explain the variation"]),
    # ... but one sentence that runs over lettered lines stays whole
    ("Staff were either\n(a) nurses or\n(b) allied professionals.",
     ["Staff were either\n(a) nurses or\n(b) allied professionals."]),
    ("The sample was\n12. Patients came from\n3 sites.",
     ["The sample was\n12.", "Patients came from\n3 sites."]),
]


@pytest.mark.parametrize(("text", "expected"), SCHOLARLY, ids=[f"s{i:02d}" for i in
                                                                range(len(SCHOLARLY))])
def test_scholarly_cases(text, expected):
    assert sentences(text) == expected


def _check_invariant(text: str) -> None:
    spans = split_sentences(text)
    prev_end = 0
    covered = [False] * len(text)
    for start, end in spans:
        assert prev_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece.strip() == piece and piece
        for i in range(start, end):
            covered[i] = True
        prev_end = end
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


_TRICKY = st.sampled_from(list(
    "aAzZ019 .!?\u2026\"'()[]\u201c\u201d\u2019\n\n\t\f\r\u00a0\u2022\u2043-\u2013&@/:;,"
    "\u00b9\u00b2\u0301\u200b\ufeff\x1c\x85\u2028\u3000") + [
    "et al. ", "e.g. ", "Fig. ", "U.S. ", "1. ", "a) ", "\n\n", ". . . ", "p.", "I. ", "The ",
    "http://x.org/a. ", "Mr. ", "2) ", " " * 70, "." * 70, "ab.12 ", "(See X.) "])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TRICKY, max_size=60).map("".join))
def test_offsets_invariant_on_tricky_text(text):
    _check_invariant(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_offsets_invariant_on_any_text(text):
    _check_invariant(text)


@pytest.mark.parametrize("text", [
    "", " ", "\n\n\n", ".", "...", ". . . .", "?!", "\u2022", "\u00b91. A", "a" * 200_000,
    ". " * 50_000, "\n" * 50_000, "Fig. " * 20_000, ("x." * 50_000), "1. " * 30_000,
    "\u2022 a " * 30_000, ("Word " * 30 + "\n") * 2_000,
    # long runs of marks: each must be scanned once, not from every position in it
    ". " * 20_000 + "x", "." * 40_000 + "x", "?" * 40_000 + " x", ".1 " * 20_000 + "x",
    "w a. (x) " * 10_000, "x" + " " * 100 + "I. A b", "x" + " " * 100 + "ab.12 C",
], ids=lambda t: f"{t[:8]!r}x{len(t)}")
def test_odd_and_large_inputs(text):
    _check_invariant(text)


def test_batch_api_and_spacy_pipeline_agree():
    texts = ["Dr. Lee ran the clinic. It closed in 2020.", "", "Results\nUptake rose."]
    expected = [split_sentences(t) for t in texts]
    assert list(Segmenter().split_many(texts)) == expected
    doc = spacy_pipeline()(texts[0])
    assert [s.text for s in doc.sents] == ["Dr. Lee ran the clinic.", "It closed in 2020."]
    assert spacy_pipeline() is spacy_pipeline()  # loaded once per process


def test_abbreviation_snapshot_matches_spacy():
    """The splitter's copy of spaCy's abbreviations and stop words is still what spaCy has
    (after a spaCy upgrade, paste spacy_seed()'s lists into abbreviations.py)."""
    pytest.importorskip("spacy")
    from realistcoder.ingest import abbreviations as ab

    exceptions, stop_words = ab.spacy_seed()
    assert ab._SPACY_ABBREVIATIONS.split() == exceptions
    assert ab._SPACY_STOP_WORDS.split() == stop_words


def test_segmenter_and_cli_import_without_spacy():
    """Every command imports cli.segment: neither it nor the splitter may load spaCy."""
    code = ("import sys, realistcoder.ingest.segment, realistcoder.cli.segment; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# --- CLI contract ------------------------------------------------------------------------------

TEXT = "Staff were interviewed (Smith et al., 2019). Fig. 2 shows why.\r\n\r\nNext paragraph"


def _jsonl(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_cli_file_and_stdin(rc, tmp_path):
    path = tmp_path / "in.txt"
    path.write_bytes(TEXT.encode("utf-8"))
    for rows in (rc.jsonl("segment", path), _jsonl(rc("segment", "-", input=TEXT)),
                 _jsonl(rc("segment", input=TEXT))):
        assert [r["text"] for r in rows] == ["Staff were interviewed (Smith et al., 2019).",
                                             "Fig. 2 shows why.", "Next paragraph"]
        assert all(TEXT[r["start"]:r["end"]] == r["text"] for r in rows)  # \r\n kept


def test_cli_batch(rc):
    lines = [{"text": "A b. C d."}, {"text": ""}, {"text": "One.", "id": 7}]
    inp = "\n".join(json.dumps(x) for x in lines) + "\n"
    rows = _jsonl(rc("segment", "--batch", input=inp))
    assert rows == [
        {"sentences": [{"start": 0, "end": 4, "text": "A b."},
                       {"start": 5, "end": 9, "text": "C d."}]},
        {"sentences": []},
        {"sentences": [{"start": 0, "end": 4, "text": "One."}]},
    ]


@pytest.mark.parametrize("bad", ["not json", '{"txt": "x"}', '["a"]'])
def test_cli_batch_bad_line(rc, bad):
    inp = json.dumps({"text": "Fine."}) + "\n" + bad + "\n"
    result = rc("segment", "--batch", input=inp, ok=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "line 2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_not_utf8(rc, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\u00e9 staff.".encode("latin-1"))
    result = rc("segment", path, ok=False)
    assert result.exit_code == 1 and "UTF-8" in result.stderr


def test_cli_help_has_example(rc):
    assert "Example:" in rc("segment", "--help").output
