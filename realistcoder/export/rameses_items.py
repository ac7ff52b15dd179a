"""The RAMESES reporting items, summarised in our own words, with what the store can evidence.

* ``synthesis``: the RAMESES publication standards for realist syntheses (Wong, Greenhalgh,
  Westhorp, Buckingham and Pawson, BMC Medicine 2013; 19 items). A realist review reports
  against these.
* ``evaluation``: RAMESES II, the reporting standards for realist evaluations (Wong,
  Westhorp, Manzano, Greenhalgh, Jagosh and Greenhalgh, BMC Medicine 2016; 20 items).

Each item: (number, section, name, what to report, evidence key or None, what the team still
has to write). The evidence keys are filled in by ``rameses``; consult the published standards
for the full guidance on each item.
"""

from __future__ import annotations

Item = tuple[int, str, str, str, str | None, str]

SYNTHESIS: list[Item] = [
    (1, "Title", "Title", "Name the work as a realist synthesis or realist review.", None,
     "the title"),
    (2, "Abstract", "Abstract", "Background, objectives, methods, results and conclusions, in "
     "the structure the journal asks for.", None, "the abstract"),
    (3, "Introduction", "Rationale for review", "Why the review is needed now, and what is "
     "already known.", None, "the case for the review"),
    (4, "Introduction", "Objectives and focus of review", "The questions asked and the "
     "programme theories the review concentrates on.", "theories",
     "the review questions and why these theories were chosen"),
    (5, "Methods", "Changes in the review process", "How and why the review departed from "
     "its protocol.", "changes", "the protocol deviations and their reasons"),
    (6, "Methods", "Rationale for using realist synthesis", "Why a realist approach fits the "
     "question.", None, "the methodological rationale"),
    (7, "Methods", "Scoping the literature", "How the initial searches for theories shaped "
     "the focus.", "scoping", "how initial theories were found and prioritised"),
    (8, "Methods", "Searching processes", "Where, when and how documents were searched for, "
     "and why.", "search", "databases, dates, search terms, iterative searches"),
    (9, "Methods", "Selection and appraisal of documents", "How documents were chosen and "
     "judged for relevance and rigour.", "selection", "the selection criteria and how "
     "relevance and rigour were judged"),
    (10, "Methods", "Data extraction", "What was extracted from the documents, how, and by "
     "whom.", "extraction", "how the codebook was built and how reviewers were trained"),
    (11, "Methods", "Analysis and synthesis processes", "How the evidence was interpreted and "
     "brought together into configurations and programme theory.", "analysis",
     "the reasoning used to build and test configurations (retroduction, juxtaposing, "
     "adjudicating sources)"),
    (12, "Results", "Document flow diagram", "How many documents passed each stage, with the "
     "reasons for exclusion.", "flow", ""),
    (13, "Results", "Document characteristics", "What kinds of documents were included.",
     "characteristics", "a sentence on what the included documents cover"),
    (14, "Results", "Main findings", "The programme theory and configurations, with the "
     "evidence for and against each.", "findings", "the narrative that explains each "
     "configuration"),
    (15, "Discussion", "Summary of findings", "The main findings and how they answer the "
     "review's questions.", "summary", "the summary"),
    (16, "Discussion", "Strengths, limitations and future research directions", "What the "
     "review did well, where it falls short, and what remains unknown.", "gaps",
     "strengths and limitations"),
    (17, "Discussion", "Comparison with existing literature", "How the findings sit with "
     "other work.", None, "the comparison"),
    (18, "Discussion", "Conclusion and recommendations", "What follows for policy, practice "
     "and research.", None, "conclusions and recommendations"),
    (19, "Discussion", "Funding", "Who funded the review and their role.", None,
     "funding and its role"),
]

EVALUATION: list[Item] = [
    (1, "Title", "Title", "Name the work as a realist evaluation.", None, "the title"),
    (2, "Summary", "Summary or abstract", "Aims, methods, findings and conclusions in brief.",
     None, "the abstract"),
    (3, "Introduction", "Rationale for evaluation", "Why the evaluation is needed.", None,
     "the rationale"),
    (4, "Introduction", "Programme theory", "The initial programme theory and where it came "
     "from.", "theories", "where the initial theory came from"),
    (5, "Introduction", "Evaluation questions, objectives and focus", "What the evaluation "
     "set out to answer.", "theories", "the evaluation questions"),
    (6, "Methods", "Ethical approval", "Approval obtained, or why none was needed.", None,
     "the ethics statement"),
    (7, "Methods", "Rationale for using realist evaluation", "Why a realist approach fits.",
     None, "the methodological rationale"),
    (8, "Methods", "Environment surrounding the evaluation", "The setting and context of the "
     "programme.", "characteristics", "the setting"),
    (9, "Methods", "The programme evaluated", "What the programme is and does.", None,
     "a description of the programme"),
    (10, "Methods", "Evaluation design", "The design and why it was chosen.", "changes",
     "the design and its justification"),
    (11, "Methods", "Data collection methods", "How data were gathered, and how they tested "
     "the theory.", "characteristics", "the data collection methods"),
    (12, "Methods", "Recruitment process and sampling strategy", "Who took part and how they "
     "were chosen.", None, "recruitment and sampling"),
    (13, "Methods", "Data analysis", "How data were analysed to test and refine the theory.",
     "extraction", "the analytic approach"),
    (14, "Results", "Details of participants", "Who took part.", None,
     "participant details"),
    (15, "Results", "Main findings", "The refined theory and configurations, with their "
     "evidence.", "findings", "the narrative of each configuration"),
    (16, "Discussion", "Summary of findings", "The main findings in brief.", "summary",
     "the summary"),
    (17, "Discussion", "Strengths, limitations and future directions", "What the evaluation "
     "did well, its limits, and what remains unknown.", "gaps", "strengths and limitations"),
    (18, "Discussion", "Comparison with existing literature", "How the findings sit with "
     "other work.", None, "the comparison"),
    (19, "Discussion", "Conclusion and recommendations", "What follows for policy and "
     "practice.", None, "conclusions and recommendations"),
    (20, "Discussion", "Funding and conflict of interest", "Funders, their role, and "
     "conflicts of interest.", None, "funding and conflicts of interest"),
]

STANDARDS = {
    "synthesis": ("RAMESES publication standards: realist syntheses (2013)", SYNTHESIS),
    "evaluation": ("RAMESES II reporting standards for realist evaluations (2016)",
                   EVALUATION),
}
