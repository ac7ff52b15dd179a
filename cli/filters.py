"""Options shared by the report exports: which documents a table draws on (characteristics,
minimum appraisal, excluded documents)."""

from __future__ import annotations

import click

from realistcoder.export.filters import DocumentFilter
from realistcoder.store.appraisals import LEVELS
from realistcoder.store.characteristics import EVIDENCE_TYPES

DOCUMENT_OPTIONS = [
    click.option("--evidence-type", "evidence_types", multiple=True,
                 type=click.Choice(EVIDENCE_TYPES, case_sensitive=False),
                 help="Only documents of this evidence type (repeatable)."),
    click.option("--design", "designs", multiple=True, metavar="TEXT",
                 help="Only documents of this study design (repeatable; as recorded with "
                 "`documents edit --design`)."),
    click.option("--setting", "settings", multiple=True, metavar="TEXT",
                 help="Only documents from this setting (repeatable)."),
    click.option("--country", "countries", multiple=True, metavar="TEXT",
                 help="Only documents from this country (repeatable)."),
    click.option("--min-rigour", type=click.Choice(LEVELS),
                 help="Only sources appraised at least this rigorous (the consensus, else the "
                 "reviewers' judgement; the lower one while they differ)."),
    click.option("--min-relevance", type=click.Choice(LEVELS),
                 help="Only sources appraised at least this relevant."),
    click.option("--include-excluded", is_flag=True,
                 help="Also use documents excluded at screening."),
]


def document_options(func):
    for option in reversed(DOCUMENT_OPTIONS):
        func = option(func)
    return func


def document_filter(params: dict) -> DocumentFilter:
    """The filter from the options above (pops them from ``params``)."""
    return DocumentFilter(
        evidence_types={v.lower() for v in params.pop("evidence_types", ())},
        designs=set(params.pop("designs", ())), settings=set(params.pop("settings", ())),
        countries=set(params.pop("countries", ())), min_rigour=params.pop("min_rigour", None),
        min_relevance=params.pop("min_relevance", None),
        include_excluded=params.pop("include_excluded", False))
