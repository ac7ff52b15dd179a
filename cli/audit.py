"""Commands: audit (agreement, disagreements, proposal quality, coverage) and resolve."""

from __future__ import annotations

import re
from pathlib import Path

import click

from realistcoder.cli.groups import cli, echo, pass_app, who
from realistcoder.cli.output import existed, pick_format, written
from realistcoder.errors import InputError
from realistcoder.files import atomic_output
from realistcoder.store import review as rv

FORMATS = ("table", "json", "csv", "html")


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for text in values for v in text.split(",") if v.strip()]


def _format(fmt: str | None, output: Path | None, disagreements: bool) -> str:
    """--format, else -o's extension, else table; .csv / .xlsx with --disagreements is the
    consensus worksheet (decided by the caller)."""
    suffix = output.suffix.lower() if output is not None else ""
    if disagreements and suffix in (".csv", ".xlsx") and fmt in (None, suffix[1:]):
        return "sheet"
    if output is not None and output.suffix.lower() == ".xlsx" and fmt is None:
        raise InputError("only the disagreements worksheet can be written as .xlsx",
                         subject=output, fix="add --disagreements, or use .csv / .json / .html")
    return pick_format(output, fmt, FORMATS, "table")


@cli.command("audit")
@click.option("--reviewers", multiple=True, metavar="A,B,...",
              help="Reviewers to compare [default: everyone who coded, except the consensus].")
@click.option("--code", "codes", multiple=True, metavar="CODE",
              help="Only these codes (repeat or comma-separate).")
@click.option("--theory", help="Only the codes of this theory / area.")
@click.option("--document", "documents", multiple=True, metavar="DOC",
              help="Only these documents (id or file name; repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format [default: from -o's extension, else table].")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              help="Write to FILE (with --disagreements, .csv / .xlsx is a consensus worksheet "
              "that is never overwritten without --force).")
@click.option("--disagreements", is_flag=True,
              help="List the sentences where reviewers differ (each reviewer's codes).")
@click.option("--quality", "show_quality", is_flag=True,
              help="Proposal quality: acceptance, precision and recall per code and role.")
@click.option("--coverage", "show_coverage", is_flag=True,
              help="How much of each document each reviewer reviewed; acceptance over time.")
@click.option("--appraisal", "show_appraisal", is_flag=True,
              help="Agreement on document appraisal (relevance, rigour) instead, and the "
              "documents appraised differently.")
@click.option("--by", type=click.Choice(["day", "week"]), default="week", show_default=True,
              help="Period for the acceptance-over-time table.")
@click.option("--complete", is_flag=True,
              help="Compare only documents in which every reviewer decided every proposal.")
@click.option("--allow-missing", is_flag=True,
              help="Also compare documents reviewed by only some (>= 2) of the reviewers "
                   "(missing data: alpha and AC1 use it, Fleiss' kappa becomes undefined).")
@click.option("--all-sentences", is_flag=True,
              help="Count every sentence as a unit (also references, headings, front matter).")
@click.option("--bootstrap", "n_boot", type=click.IntRange(0, 100_000), default=1000,
              show_default=True, help="Bootstrap resamples for alpha's 95% CI (0: none).")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--force", is_flag=True,
              help="Overwrite an existing disagreements worksheet (its filled consensus "
                   "cells are lost unless resolved).")
@click.option("--unblind", is_flag=True, hidden=True,
              help="Accepted for symmetry with `export --unblind`: the audit always compares "
                   "every reviewer's codings.")
@pass_app
def audit_cmd(app, reviewers, codes, theory, documents, fmt, output, disagreements,
              show_quality, show_coverage, show_appraisal, by, complete, allow_missing,
              all_sentences, n_boot, seed, force, unblind):
    """Inter-coder agreement per code and overall, on sentences of documents all reviewers
    reviewed: counts, percent and positive agreement, Cohen's and Fleiss' kappa, Krippendorff's
    alpha (with a bootstrap 95% CI) and Gwet's AC1; undefined figures say why.

    The audit compares reviewers, so it reads everyone's codings (it is the team's unblinding
    step).

    Example: realistcoder audit --reviewers alice,bob --disagreements -o meeting.xlsx
    """
    from realistcoder.audit import disagreements as dis
    from realistcoder.audit.coverage import coverage
    from realistcoder.audit.quality import quality
    from realistcoder.audit.summary import summarize
    from realistcoder.audit.units import select

    if output is not None and str(output) == "-":
        output = None
    fmt = _format(fmt, output, disagreements)
    if output is not None and not output.parent.is_dir():  # before minutes of bootstrapping
        raise InputError("the folder does not exist", subject=output.parent,
                         fix="create it first, or pass another -o path")
    sheet = fmt == "sheet"
    if sheet and output.exists() and not force:
        raise InputError("already exists and may hold the meeting's filled consensus cells",
                         subject=output, fix=f"record them first with `realistcoder resolve "
                         f"{output} --reviewer NAME`, then pass --force to overwrite, or "
                         "choose another -o")
    store = app.store(create=False)
    if show_appraisal:
        _appraisal(store, _split(reviewers) or None, documents, fmt, output)
        return
    sel = select(store, _split(reviewers) or None, documents=list(documents) or None,
                 codes=_split(codes) or None, theory=theory, complete=complete,
                 allow_missing=allow_missing, all_sentences=all_sentences)
    result = summarize(sel, n_boot=n_boot, seed=seed)
    rows = dis.find(store, sel) if disagreements else None
    if rows is not None:
        result["disagreements"] = rows
    if show_quality:
        result["quality"] = quality(store, sel)
    if show_coverage:
        result["coverage"] = coverage(store, sel.reviewers, by=by, document_ids=sel.scope)
    if sheet:
        was_there = existed(output)
        dis.write_worksheet(output, rows, sel.reviewers, sel.codes)
        written(output, was_there, f"{len(rows)} disagreement(s)")
        echo(f"fill its 'consensus' column (codes separated by ';', or 'none'), then run "
             f"`realistcoder resolve {output} --reviewer NAME`", err=True)
        return
    _deliver(_render(result, fmt, sel.reviewers), output, "the audit", fmt)


def _appraisal(store, reviewers, documents, fmt, output) -> None:
    from realistcoder.audit import report
    from realistcoder.audit.appraisal import appraisal_agreement, appraisal_text
    from realistcoder.store.documents import get_document

    if fmt not in ("table", "json"):
        raise InputError(f"the appraisal agreement is written as a table or JSON, not {fmt}",
                         subject="--format", fix="pass --format json, or -o FILE.json")
    ids = {get_document(store, d)["id"] for d in documents} if documents else None
    result = appraisal_agreement(store, reviewers, ids)
    text = report.to_json(result) if fmt == "json" else appraisal_text(result)
    _deliver(text, output, "the appraisal agreement", fmt)


def _deliver(text: str, output: Path | None, what: str, fmt: str) -> None:
    """Print ``text``, or write it to ``output`` all or nothing (an interrupted run leaves no
    partial report) and say so."""
    if not output:
        echo(text)
        return
    was_there = existed(output)
    with atomic_output(output) as tmp:
        tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    written(output, was_there, what, fmt)


def _render(result: dict, fmt: str, reviewers: list[str]) -> str:
    from realistcoder.audit import disagreements as dis
    from realistcoder.audit import report

    if fmt == "json":
        return report.to_json(result)
    if fmt == "html":
        return report.to_html(result)
    if fmt == "csv":
        sections = [k for k in ("disagreements", "quality", "coverage") if k in result]
        if len(sections) > 1:
            raise InputError("CSV holds one table", subject="--format csv",
                             fix="ask for one of --disagreements, --quality, --coverage at a "
                             "time, or use --format json / html")
        if not sections:
            return report.to_csv(*report.agreement_csv_rows(result))
        if sections[0] == "disagreements":
            return report.to_csv(*dis.worksheet_rows(result["disagreements"], reviewers))
        if sections[0] == "quality":
            return report.to_csv(*report.quality_rows(result["quality"]))
        return report.to_csv(*report.coverage_rows(result["coverage"]))
    parts = [report.agreement_text(result)]
    if "disagreements" in result:
        parts.append(report.disagreements_text(result["disagreements"], reviewers))
    if "quality" in result:
        parts.append(report.quality_text(result["quality"]))
    if "coverage" in result:
        parts.append(report.coverage_text(result["coverage"]))
    return "\n\n".join(parts)


RANGE = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


@cli.command("resolve")
@click.argument("target", metavar="WORKSHEET|SENTENCE_ID[-SENTENCE_ID]")
@click.option("--reviewer", metavar="NAME",
              help="Who records the consensus (attributed) [default: $REALISTCODER_REVIEWER].")
@click.option("--code", "codes", multiple=True, metavar="CODE",
              help="The agreed code(s) for SENTENCE_ID (repeat or comma-separate).")
@click.option("--none", "no_code", is_flag=True, help="Agree that the sentence carries no code.")
@click.option("--note", help="Why (kept with the consensus decision).")
@pass_app
def resolve_cmd(app, target, reviewer, codes, no_code, note):
    """Record the team's consensus: from a filled disagreements worksheet (.csv / .xlsx), or for
    one sentence (or run of sentences) with --code / --none. Each consensus is its own decision,
    attributed to --reviewer; rows already agreed are left alone, so running it twice is safe.

    Example: realistcoder resolve meeting.xlsx --reviewer alice
    """
    from realistcoder.audit import disagreements as dis

    reviewer = who(reviewer)
    store = app.store(create=False)
    m = RANGE.match(target)
    path = Path(target)
    if m and not path.exists():
        wanted = _split(codes)
        if not wanted and not no_code:
            raise InputError("no consensus given", subject=f"sentence {target}",
                             fix="pass --code CODE (repeatable) or --none")
        if wanted and no_code:
            raise InputError("--code and --none contradict each other",
                             subject=f"sentence {target}", fix="pass one of them")
        made = rv.resolve(store, int(m.group(1)), wanted, reviewer,
                          end_sentence_id=int(m.group(2)) if m.group(2) else None, note=note)
        agreed = ", ".join(wanted) or "no code"
        echo(f"consensus for sentence {target}: {agreed} ({len(made)} decision(s) recorded "
             f"by {reviewer})")
        return
    if codes or no_code:
        raise InputError("--code / --none go with a SENTENCE_ID, not a worksheet",
                         subject=target, fix="fill the worksheet's consensus column instead")
    todo = dis.plan(store, dis.read_worksheet(path), path)
    counts = dis.record(store, todo, reviewer)
    echo(f"{counts['resolved']} sentence(s) resolved, {counts['unchanged']} already agreed "
         f"({counts['decisions']} decision(s) recorded by {reviewer}); "
         "see `realistcoder audit --disagreements`")
