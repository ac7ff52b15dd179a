"""Commands: review (interactive), decide, code, uncode, undo, log, appraise, status, merge.

Spreadsheet and file round trips (export worksheet / codings, import decisions / codings) live
in ``review_io``; the terminal loop in ``review_tui``. Both attach their commands on import.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import click

from realistcoder.cli import review_io  # noqa: F401  (attaches export/import commands)
from realistcoder.cli.groups import REVIEWER_HELP, cli, echo, echo_problems, pass_app, viewer, who
from realistcoder.cli.output import LISTING_FORMATS, emit, format_option, output_option, pick_format
from realistcoder.errors import InputError
from realistcoder.review.retrain import DEFAULT_EVERY, BackgroundLearner
from realistcoder.review.session import STATUS_CHOICES, Filters, ReviewSession
from realistcoder.store import cmoc as cm
from realistcoder.store import review as rv
from realistcoder.store.documents import get_document

reviewer_option = click.option("--reviewer", "-r", metavar="NAME", required=False,
                               help="Who is deciding (the same name every session) "
                               f"{REVIEWER_HELP}.")
view_option = click.option("--reviewer", "-r", metavar="NAME", required=False,
                           help=f"Whose view (the review is blinded) {REVIEWER_HELP}.")


def need_reviewer(reviewer: str | None) -> str:
    return who(reviewer)


def parse_range(text: str) -> tuple[int, int | None]:
    """``12`` or ``12-14`` -> (12, None) or (12, 14)."""
    parts = str(text).replace(" ", "").split("-")
    if not all(p.isdigit() for p in parts) or len(parts) not in (1, 2):
        raise InputError(f"'{text}' is not a sentence id or range", subject="SENTENCE_ID",
                         fix="give an id such as 12, or a range such as 12-14")
    return int(parts[0]), (int(parts[1]) if len(parts) == 2 else None)


@cli.command("review")
@reviewer_option
@click.option("--code", help="Only proposals of this code id.")
@click.option("--role", type=click.Choice(["context", "mechanism", "outcome", "other"]),
              help="Only proposals of this role.")
@click.option("--theory", help="Only proposals for this theory / area id.")
@click.option("--document", "document", metavar="DOC", help="Only this document (id or name).")
@click.option("--min-score", type=click.FloatRange(0, 1), help="Only proposals scoring this much.")
@click.option("--status", type=click.Choice(STATUS_CHOICES), default="pending", show_default=True,
              help="Which of your proposals to go through (decided ones to revisit them).")
@click.option("--learn-every", type=click.IntRange(min=0), default=DEFAULT_EVERY,
              show_default=True, help="Retrain your model in the background after this many "
              "decisions (0: never).")
@pass_app
def review_cmd(app, reviewer, code, role, theory, document, min_score, status, learn_every):
    """Review proposals one by one in the terminal: accept, reject, recode, extend, note.

    Every decision is saved as you make it; quit at any time and run the same command to
    resume. You see only your own decisions (the review is blinded).

    The queue is in reading order (document, then sentence, best score first), so each
    proposal is read in its context. Every --learn-every decisions your model is retrained in
    the background (as `propose --learn` would, never making you wait): the rest of the queue
    then gains the roles it finds and loses the proposals it scores below threshold.

    Example: realistcoder review --reviewer alice --theory workforce
    """
    from realistcoder.cli import review_tui

    reviewer = need_reviewer(reviewer)
    store = app.store()
    if code:
        code = rv.find_code(store, code)["code"]
    doc_id = get_document(store, document)["id"] if document else None
    filters = Filters(code=code, role=role, theory=theory, document_id=doc_id,
                      min_score=min_score, status=status)
    learner = BackgroundLearner(app.db_path, reviewer, learn_every) if learn_every else None
    session = ReviewSession(store, reviewer, filters, learner=learner)
    if not session.items:
        echo(f"nothing to review for {reviewer} with these filters "
             "(run `realistcoder propose` first, or relax --status / --min-score).")
        return
    review_tui.run(session)


def _keys_help() -> str:
    """The keys of the review screen, for `review --help` (from the screen's own table)."""
    from realistcoder.cli.review_tui import KEYS

    lines = [f"  {key}  {text}" for key, text in KEYS]
    return "\b\nKeys (one key press each; from a pipe, one key a line):\n" + "\n".join(lines)


review_cmd.help = inspect.cleandoc(review_cmd.help).replace(
    "\n\nExample:", f"\n\n{_keys_help()}\n\nExample:", 1)


@cli.command("decide")
@click.argument("proposal_id", type=int)
@click.option("--accept", is_flag=True, help="Accept the proposal.")
@click.option("--reject", is_flag=True, help="Reject the proposal.")
@click.option("--code", help="Accept under this code (for a role proposal: the code to give "
              "it; for a code proposal: a recode).")
@click.option("--role", type=click.Choice(["context", "mechanism", "outcome"]),
              help="Accept as a role-only coding of this role (another role is a recode).")
@click.option("--sentences", metavar="FIRST-LAST",
              help="Code a longer fragment that includes the proposed sentence.")
@click.option("--note", help="Why (kept with the decision).")
@reviewer_option
@pass_app
def decide_cmd(app, proposal_id, accept, reject, code, role, sentences, note, reviewer):
    """Accept, reject or recode one proposal.

    A role proposal (no code) accepted as it is becomes a role-only coding; pass --code to
    give it a code of the codebook.

    \b
    More examples:
      realistcoder decide 57 --accept --code wf_trust --reviewer alice
      realistcoder decide 58 --role context --reviewer alice

    Example: realistcoder decide 42 --accept --reviewer alice --note "clear C"
    """
    reviewer = need_reviewer(reviewer)
    if accept and reject:
        raise InputError("--accept and --reject contradict each other",
                         subject=f"proposal {proposal_id}", fix="pass one of them")
    verdict = "accept" if accept else "reject" if reject else None
    if verdict is None:
        verdict = "accept" if code or role else None
    if verdict is None:
        raise InputError("say what to decide", subject=f"proposal {proposal_id}",
                         fix="pass --accept, --reject, --code CODE or --role ROLE")
    if verdict == "reject" and (code or role or sentences):
        raise InputError("--code, --role and --sentences go with --accept, not --reject",
                         subject=f"proposal {proposal_id}", fix="drop them or use --accept")
    store = app.store()
    if verdict == "reject":
        d = rv.reject(store, proposal_id, reviewer, note=note)
        echo(f"proposal {proposal_id}: {'already ' if d['duplicate'] else ''}rejected by "
             f"{reviewer}")
        return
    first, last = parse_range(sentences) if sentences else (None, None)
    d = rv.accept(store, proposal_id, reviewer, code=code, role=role, note=note,
                  sentence_id=first, end_sentence_id=last or first)
    word = "recoded as" if d["action"] == "recode" else "accepted as"
    what = d["code"] or f"{d['role']} (role only)"
    echo(f"proposal {proposal_id}: {'already ' if d['duplicate'] else ''}{word} {what} "
         f"by {reviewer} (coding {d['coding_id']})")


@cli.command("code")
@click.argument("sentences", metavar="SENTENCE_ID[-SENTENCE_ID]")
@click.argument("code", required=False)
@click.option("--role", type=click.Choice(["context", "mechanism", "outcome", "none"]),
              help="Code the role only (no code of the codebook), or 'none': you read it and "
              "it carries no C, M or O (your proposals on it are rejected, as x does in "
              "`review`; the learned proposer learns from this too).")
@click.option("--note", help="Why (kept with the coding).")
@reviewer_option
@pass_app
def code_cmd(app, sentences, code, role, note, reviewer):
    """Code a sentence, or a run of sentences, by hand (what no proposal found).

    \b
    More examples:
      realistcoder code 88 --role mechanism --reviewer alice
      realistcoder code 89-90 --role none --reviewer alice

    Example: realistcoder code 120-121 wf_trust --reviewer alice
    """
    reviewer = need_reviewer(reviewer)
    if not code and not role:
        raise InputError("say what to code", subject=sentences,
                         fix="give a CODE, or --role context|mechanism|outcome|none")
    first, last = parse_range(sentences)
    if role == rv.NO_ROLE and not code:
        made = rv.mark_no_role(app.store(), first, reviewer, end_sentence_id=last, note=note)
        rejected = sum(d["action"] == "reject" for d in made)
        mark = made[-1]
        where = f"sentence {first}" if last in (None, first) else f"sentences {first}-{last}"
        also = f"; {rejected} of your proposals on it rejected" if rejected else ""
        echo(f"coding {mark['coding_id']}: {where} marked as carrying no role by {reviewer}"
             f"{also}")
        return
    d = rv.code_by_hand(app.store(), first, code, reviewer, role=role, end_sentence_id=last,
                        note=note)
    where = (f"sentence {d['sentence_id']}" if d["sentence_id"] == d["end_sentence_id"]
             else f"sentences {d['sentence_id']}-{d['end_sentence_id']}")
    what = d["code"] or f"{d['role']} (role only)"
    echo(f"coding {d['coding_id']}: {where} coded {what} by {reviewer}")


@cli.command("uncode")
@click.argument("coding_id", type=int)
@click.option("--note", help="Why (kept in the log).")
@reviewer_option
@pass_app
def uncode_cmd(app, coding_id, note, reviewer):
    """Remove one of your codings (it stays in the audit trail).

    Example: realistcoder uncode 17 --reviewer alice
    """
    reviewer = need_reviewer(reviewer)
    rv.uncode(app.store(), coding_id, reviewer, note=note)
    echo(f"coding {coding_id}: removed by {reviewer}")


@cli.command("undo")
@click.option("--decision", "decision_id", type=int,
              help="Undo this decision id instead of your latest.")
@click.option("--batch", "batch_id", metavar="ID",
              help="Undo a whole import batch (see `realistcoder log --batches`).")
@reviewer_option
@pass_app
def undo_cmd(app, decision_id, batch_id, reviewer):
    """Undo your latest decision (or a given one, or a whole import batch), exactly.

    Undoing appends `undo` decisions to the log; nothing is deleted.

    Example: realistcoder undo --batch 3 --reviewer alice
    """
    reviewer = need_reviewer(reviewer)
    if batch_id is not None:
        if decision_id is not None:
            raise InputError("--decision and --batch contradict each other", subject="undo",
                             fix="pass one of them")
        from realistcoder.store.batches import undo_batch

        report = undo_batch(app.store(), batch_id, reviewer)
        b = report.batch
        echo(f"undid batch {b['id']} ({b['kind']} {b['source'] or ''}): {report.undone} "
             f"decisions reversed as batch {report.undo_batch}".replace("  ", " "))
        if report.superseded:
            shown = ", ".join(map(str, report.superseded[:10]))
            more = "..." if len(report.superseded) > 10 else ""
            echo(f"note: {len(report.superseded)} proposals were decided again after the import "
                 f"({shown}{more}); those later decisions stand", err=True)
        return
    result = rv.undo(app.store(), reviewer, decision_id)
    if result is None:
        echo(f"nothing to undo for {reviewer}")
        return
    u = result["undone"]
    target = f"proposal {u['proposal_id']}" if u["proposal_id"] else f"sentence {u['sentence_id']}"
    echo(f"undid decision {u['id']} ({u['action']} {u['code'] or ''} on {target})".replace(
        "  ", " "))
    also = result.get("also_undone") or []
    if also:
        echo(f"  and {len(also)} linked decision(s) made when the document changed (the coding's "
             "move to the new version)")


LOG_FIELDS = ["id", "created_at", "reviewer", "action", "code", "proposal_id", "sentence_id",
              "end_sentence_id", "note", "undone_by", "batch_id", "origin", "resolved_by",
              "target_uuid", "uuid"]
BATCH_FIELDS = ["id", "reviewer", "kind", "source", "decisions", "undone_by", "undoes",
                "created_at", "uuid"]


@cli.command("log")
@view_option
@click.option("--unblind", is_flag=True, help="Show every reviewer's decisions.")
@click.option("--batches", "show_batches", is_flag=True,
              help="List the import batches (what `undo --batch ID` reverses) instead.")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def log_cmd(app, reviewer, unblind, show_batches, fmt, output):
    """Show the decision log (the audit trail), oldest first.

    Example: realistcoder log --reviewer alice -o alice-log.csv
    """
    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    reviewer = viewer(reviewer, unblind)
    seen_by = reviewer if not unblind else None
    if show_batches:
        from realistcoder.store.batches import list_batches

        rows = list_batches(app.store(), viewer=seen_by, unblinded=seen_by is None)
        if reviewer and unblind:
            rows = [r for r in rows if r["reviewer"] == reviewer]
        emit(rows, BATCH_FIELDS, fmt, output, what="batches", title="Import batches",
             table=_batch_table, empty="no import batches yet")
        return
    rows = rv.decision_log(app.store(), [reviewer] if reviewer and unblind else None,
                           viewer=seen_by, unblinded=unblind)
    emit(rows, LOG_FIELDS, fmt, output, what="decisions", title="Decision log",
         table=_log_table, empty="no decisions yet")


def _log_table(rows: list[dict]) -> list[str]:
    lines = []
    for d in rows:
        target = (f"proposal {d['proposal_id']}" if d["proposal_id"]
                  else f"sentence {d['sentence_id']}" if d["sentence_id"] else "")
        undone = f" [undone by {d['undone_by']}]" if d["undone_by"] else ""
        undone += " [carried by ingest: the file changed]" if d.get("origin") == "carry" else ""
        batch = f" [batch {d['batch_id']}]" if d["batch_id"] else ""
        note = f" note: {d['note']}" if d["note"] else ""
        what = d["code"] or d.get("role") or ""
        lines.append(f"{d['id']:>5} {d['created_at'][:19]} {d['reviewer']:<10} "
                     f"{d['action']:<7} {what:<18} {target}{batch}{undone}{note}")
    return lines


def _batch_table(rows: list[dict]) -> list[str]:
    lines = []
    for b in rows:
        state = (f" [undone by batch {b['undone_by']}]" if b["undone_by"]
                 else f" [undoes batch {b['undoes']}]" if b["undoes"] else "")
        lines.append(f"{b['id']:>4} {b['created_at'][:19]} {b['reviewer']:<10} "
                     f"{b['kind']:<17} {b['decisions']:>5} decisions  {b['source'] or ''}{state}")
    return lines


@cli.command("appraise")
@click.argument("document")
@click.option("--relevance", type=click.Choice(cm.LEVELS), required=True)
@click.option("--rigour", type=click.Choice(cm.LEVELS), required=True)
@click.option("--note", help="Reasons for the judgement.")
@click.option("--consensus", is_flag=True,
              help="Record the team's agreed appraisal (attributed to --reviewer).")
@reviewer_option
@pass_app
def appraise_cmd(app, document, relevance, rigour, note, consensus, reviewer):
    """Record your relevance and rigour appraisal of a document, or with --consensus the
    team's (see `realistcoder audit --appraisal` for where reviewers differ).

    Example: realistcoder appraise 3 --relevance high --rigour moderate --reviewer alice
    """
    reviewer = need_reviewer(reviewer)
    store = app.store()
    doc = get_document(store, document)
    cm.add_appraisal(store, doc["id"], reviewer, relevance, rigour, note, consensus=consensus)
    who = f"consensus, recorded by {reviewer}" if consensus else reviewer
    echo(f"{doc['file_name']}: relevance {relevance}, rigour {rigour} ({who})")


@cli.command("status")
@view_option
@click.option("--unblind", is_flag=True, help="Show every reviewer's figures.")
@format_option(("table", "json"), "table")
@output_option()
@pass_app
def status_cmd(app, reviewer, unblind, fmt, output):
    """Documents, proposals pending / decided per reviewer, codings per theory and role.

    Example: realistcoder status --reviewer alice --format json
    """
    import json

    from realistcoder.cli.output import existed, to_stdout, written
    from realistcoder.files import atomic_output
    from realistcoder.review.status import render_status, review_status

    fmt = pick_format(output, fmt, ("table", "json"), "table")
    data = review_status(app.store(), viewer=viewer(reviewer), unblinded=unblind)
    text = json.dumps(data, indent=2) if fmt == "json" else render_status(data)
    if to_stdout(output):
        echo(text)
        return
    was_there = existed(output)
    with atomic_output(output) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    written(output, was_there, "the status", fmt)


@cli.command("merge")
@click.argument("other", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@pass_app
def merge_cmd(app, other):
    """Bring another store's documents, codebooks, proposals and decisions into this one.

    Documents match by content hash, codes by codebook version and id, decisions by their
    unique id: merging the same file twice adds nothing. Conflicts are listed.

    Example: realistcoder merge bob.db
    """
    from realistcoder.review.merge import MergeRefused, merge_stores

    try:
        report = merge_stores(app.store(create=True), other)
    except MergeRefused as err:
        echo_problems(err.problems)
        raise
    echo(report.summary())
    for line in report.conflicts:
        echo(f"conflict: {line}")
