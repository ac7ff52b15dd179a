"""The role detector on sentences written for these tests: each rule of the coding guide moves
the right role, no-role kinds stay below threshold, and every proposal explains itself."""

from __future__ import annotations

import json

import pytest

from realistcoder.propose.nlp import load_nlp
from realistcoder.propose.roles.detector import (
    ROLES,
    RoleDetector,
    shipped_weights,
    shipped_weights_path,
)
from realistcoder.propose.roles.signals import feature_names


@pytest.fixture(scope="module")
def detector() -> RoleDetector:
    return RoleDetector(load_nlp())


def probs(detector: RoleDetector, text: str) -> dict[str, float]:
    doc = load_nlp()(text)
    return dict(zip(ROLES, detector.probabilities([doc])[0], strict=True))


def found(detector: RoleDetector, text: str) -> set[str]:
    return {p.role for p in detector.propose([load_nlp()(text)])[0]}


# (sentence, a role it must carry) -- one per rule of CODING-GUIDE.md
CARRIES = [
    # rule 2: a condition or resource framed as enabling or blocking
    ("Where practices had a named pharmacist, medication reviews were completed on time.",
     "context"),
    ("A shortage of community nurses meant that visits were often cancelled.", "context"),
    ("The lack of protected time was the main barrier to joining the huddles.", "context"),
    # rule 4: how people reason or respond
    ("Carers said they felt reassured once a named nurse phoned them each week.", "mechanism"),
    ("Staff were reluctant to share records because they worried about confidentiality.",
     "mechanism"),
    ("I felt that nobody listened to me until the new coordinator arrived.", "mechanism"),
    # rule 6: results for patients, staff, services and money
    ("Emergency admissions fell by 12% in the second year of the scheme.", "outcome"),
    ("The new referral form led to fewer duplicated tests and shorter waits.", "outcome"),
    ("There was no change in readmission rates between the two groups.", "outcome"),
]

# rule 8: no role
NO_ROLE = [
    "Twenty-two staff were interviewed between May and July using a topic guide.",
    "Table 3 shows the characteristics of the participating practices.",
    "Interviews were recorded, transcribed verbatim and analysed thematically.",
    "The study was approved by the regional ethics committee.",
    "Funding was provided by the county council.",
]


@pytest.mark.parametrize(("text", "role"), CARRIES)
def test_each_rule_finds_its_role(detector, text, role):
    assert role in found(detector, text), probs(detector, text)


@pytest.mark.parametrize("text", NO_ROLE)
def test_methods_pointers_and_acknowledgements_carry_no_role(detector, text):
    assert found(detector, text) == set(), probs(detector, text)


def test_a_cue_raises_its_role_over_the_same_sentence_without_it(detector):
    plain = "The team met every Monday to review the list."
    assert probs(detector, "Because they trusted each other, " + plain[0].lower() + plain[1:])[
        "mechanism"] > probs(detector, plain)["mechanism"]
    assert probs(detector, plain.rstrip(".") + ", which reduced admissions by a third.")[
        "outcome"] > probs(detector, plain)["outcome"]
    assert probs(detector, "Where managers protected their time, " + plain[0].lower()
                 + plain[1:])["context"] > probs(detector, plain)["context"]


def test_methods_wording_lowers_every_role(detector):
    finding = "Nurses felt more confident making referrals after the training."
    method = "We interviewed nurses about making referrals after the training."
    assert max(probs(detector, method).values()) < max(probs(detector, finding).values())


def test_each_proposal_explains_itself_with_cue_words_and_rules(detector):
    text = "Patients felt reassured because the same nurse visited each week."
    (proposal,) = [p for p in detector.propose([load_nlp()(text)])[0] if p.role == "mechanism"]
    spans = [m for m in proposal.matched if "start" in m]
    assert spans and all(text[m["start"]:m["end"]] == m["text"] for m in spans)
    assert {"felt", "reassured"} & {m["text"].lower() for m in spans}
    assert all(m["rule"] for m in proposal.matched)


def test_shipped_weights_match_the_features_and_carry_their_provenance():
    weights = shipped_weights()
    data = json.loads(shipped_weights_path().read_text(encoding="utf-8"))
    assert weights.features == feature_names()
    assert data["trained_on"]["sentences"] >= 600 and len(data["trained_on"]["documents"]) >= 6
    devset = _devset_module()
    for doc in data["trained_on"]["documents"]:  # none of the documents kept for evaluation
        pdf = devset.pdf_for(doc)
        assert pdf is None or not devset.is_reserved(pdf), doc
    assert 0 < data["leave_one_document_out"]["micro"]["f1"] < 1
    assert all(0 < t < 1 for t in weights.thresholds.values())


def _devset_module():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "devset"))
    import devset

    return devset
