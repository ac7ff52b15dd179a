"""Commands: propose, proposals, export proposals."""

from __future__ import annotations

import json
from pathlib import Path

import click

from realistcoder.cli.groups import cli as root
from realistcoder.cli.groups import (
    complete_codebook,
    echo,
    export_group,
    pass_app,
    stdout_is_terminal,
    viewer,
)
from realistcoder.cli.output import (
    LISTING_FORMATS,
    RECORD_FORMATS,
    emit,
    format_option,
    output_option,
    pick_format,
)
from realistcoder.cli.screen import progress_bar
from realistcoder.codebook.model import ROLES
from realistcoder.errors import InputError, NotFoundError
from realistcoder.ingest.sections import PROPOSE_BY_DEFAULT, SECTION_KINDS
from realistcoder.propose.run import DEFAULT_MIN_SCORE, plan, propose
from realistcoder.store import proposals as proposals_db
from realistcoder.store.codebooks import code_row_ids, save_codebook, stored_codebooks
from realistcoder.store.documents import get_document
from realistcoder.store.review_lookup import check_reviewer

EXPORT_FIELDS = (
    "proposal_id", "document", "page", "sentence_id", "text", "code", "role", "theory", "score",
    "matched", "label", "mechanism_type", "method", "flags", "codebook", "codebook_version",
    "codebook_id", "document_id", "section", "status", "created_at", "model_id",
)
ROLE_ORDER = ("context", "mechanism", "outcome", "other")


def _score(ctx, param, value):
    if value is not None and not 0.0 <= value <= 1.0:
        raise click.BadParameter("must be between 0 and 1")
    return value


def _codebooks(store, files: tuple[Path, ...]):
    """(codebook_id, Codebook) to propose with: the files given (stored as versions), else the
    latest stored version of each codebook, else the shipped default (stored)."""
    from realistcoder.codebook.io import default_codebook_path, load_codebook, resolve_codebook

    if files:
        return [(save_codebook(store, cb, str(resolve_codebook(f))), cb)
                for f in files for cb in [load_codebook(f)]]
    stored = stored_codebooks(store, latest_only=True)
    stored = [(cb_id, cb) for cb_id, cb in stored if code_row_ids(store, cb_id)]
    if stored:
        return stored
    path = default_codebook_path()
    cb = load_codebook(path)
    return [(save_codebook(store, cb, str(path)), cb)]


def _document_ids(store, refs: tuple[str, ...]) -> list[int] | None:
    return [int(get_document(store, ref)["id"]) for ref in refs] if refs else None


@root.command("propose")
@click.option("--codebook", "codebook_files", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False),
              metavar="FILE|ID", shell_complete=complete_codebook,
              help="Codebook file (YAML, CSV, XLSX, QDC) or a shipped codebook's id "
              "(mcp-realist, mcp-components, logic-model); repeatable. Stored as a version. "
              "[default: the codebooks loaded into the store, else mcp-realist]")
@click.option("--min-score", type=float, default=DEFAULT_MIN_SCORE, show_default=True,
              callback=_score, help="Keep code proposals scoring at least this (0-1).")
@click.option("--roles/--no-roles", default=True, show_default=True,
              help="Also propose roles (context, mechanism, outcome) for any sentence, "
              "whatever the codebook holds, and keep a code proposal only where the detector "
              "finds its code's role. --no-roles: codebook proposals alone, ungated.")
@click.option("--learn", is_flag=True,
              help="Train a model on --reviewer's decisions, re-score their open proposals "
              "and add the roles it finds (theirs alone: blinding holds).")
@click.option("--reviewer", "-r", metavar="NAME", help="Whose decisions to learn from "
              "(with --learn).")
@click.option("--consensus", is_flag=True,
              help="With --learn: learn from the team's consensus codings instead.")
@click.option("--document", "documents", multiple=True, metavar="DOC",
              help="Only this document (id, file name or path); repeatable.")
@click.option("--all-sections", is_flag=True,
              help="Also read headings, captions, tables, references and front matter.")
@click.option("--section", "sections", multiple=True, type=click.Choice(SECTION_KINDS),
              help=f"Read only these section kinds [default: {', '.join(PROPOSE_BY_DEFAULT)}].")
@pass_app
def propose_command(app, codebook_files, min_score, roles, learn, reviewer, consensus,
                    documents, all_sections, sections) -> None:
    """Propose Context / Mechanism / Outcome roles and codes for the ingested sentences.

    Two kinds of proposal. A role proposal (no code) says "this sentence reads as mechanism
    evidence": the role detector scores every sentence for each role from cues written from
    realist methodology (a condition clause, a reasoning word, a change in an outcome, methods
    or aims that carry no role) with weights learned from hand-labelled real documents. A code
    proposal comes from a codebook term matching the sentence and carries its code's role.
    Every proposal has a score in [0, 1] and the words that triggered it, including the cues
    ("led to", "because"), negations and hedges that changed the score. Re-running adds nothing
    new; a changed codebook is stored as a new version whose proposals supersede the older
    version's undecided ones.

    With --learn --reviewer NAME, a model is trained on NAME's own decisions (accepted,
    rejected and recoded proposals, hand and role-only codings, sentences marked as carrying
    no role) and applied to NAME's queue: their open proposals are re-scored (those it scores
    below its threshold are withdrawn from their queue; `proposals --status withdrawn` lists
    them) and it adds learned role proposals where it finds a role. Other reviewers see none
    of it. The model and its provenance are kept in the store (`realistcoder models`).

    \b
    More examples:
      realistcoder propose --codebook mcp-components --min-score 0.5
      realistcoder propose --document report.pdf --all-sections
      realistcoder propose --learn --reviewer alice

    Example: realistcoder propose
    """
    if learn or reviewer or consensus:
        _learn(app, learn, reviewer, consensus, documents)
        return
    store = app.store()
    targets = _codebooks(store, codebook_files)
    document_ids = _document_ids(store, documents)
    if not proposals_db.documents_to_propose(store, document_ids):
        raise NotFoundError("no documents in the store", subject=app.db_path,
                            fix="run `realistcoder ingest PATH...` first")
    chosen = None if all_sections else (list(sections) or list(PROPOSE_BY_DEFAULT))
    work = plan(store, targets, min_score=min_score, document_ids=document_ids, sections=chosen,
                roles=roles)
    total = sum(w.sentences for w in work if w.todo)
    with progress_bar(total, "Proposing") as bar:
        summary = propose(store, targets, min_score=min_score, document_ids=document_ids,
                          sections=chosen, progress=bar.update, work=work, roles=roles)
    names = ", ".join(f"{cb.name} {cb.version} (#{cb_id})" for cb_id, cb in targets)
    echo(f"Codebooks: {names}")
    echo(f"Read {summary.sentences} sentences in {summary.documents} documents"
         + (f" ({summary.skipped_documents} already done)" if summary.skipped_documents else "")
         + f"; {summary.new} new proposals at score >= {min_score:g}.")
    if roles:
        echo(f"Role proposals (the role detector, any codebook): "
             f"{sum(summary.role_proposals.values())} new: " + _roles(summary.role_proposals))
    if summary.new:
        echo("New code proposals by role: " + _roles(summary.by_role))
    if summary.superseded:
        echo(f"Superseded {summary.superseded} undecided proposals of older codebook versions.")
    if summary.carried:
        echo(f"Kept {summary.carried} decisions made under older versions (not re-proposed).")
    echo("In the store by role: " + _roles(proposals_db.proposal_counts(store)))
    echo("Next: realistcoder review --reviewer NAME")
    for document, reason in summary.failed:
        click.echo(f"error: {document}: no proposals: {reason} (skipped; the other documents "
                   "were done; please report this document)", err=True)
    if summary.failed:
        raise click.exceptions.Exit(1)


def _learn(app, learn: bool, reviewer: str | None, consensus: bool, documents) -> None:
    from realistcoder.propose.learn import learn as learn_roles
    from realistcoder.store.review import CONSENSUS

    if not learn:
        raise InputError("--reviewer and --consensus go with --learn", subject="propose",
                         fix="add --learn, or drop them")
    if consensus == bool(reviewer):
        raise InputError("say whose decisions to learn from", subject="--learn",
                         fix="pass --reviewer NAME, or --consensus")
    name = CONSENSUS if consensus else check_reviewer(reviewer)
    store = app.store(create=False)
    s = learn_roles(store, name)
    trained = ", ".join(f"{r} {v['positive']}+/{v['negative']}-" for r, v in s.training.items())
    echo(f"Model #{s.model_id} for {name}: trained on {trained} (sentences carrying / not "
         "carrying each role).")
    cv = "; ".join(f"{r}: {CHOICES[m['choice']]}, F1 {m['f1']:.2f} (detector as shipped "
                   f"{m['cold_f1']:.2f})" for r, m in s.metrics.items() if m.get("folds"))
    if cv:
        echo(f"Cross-validated over your documents: {cv}.")
    unjudged = [r for r in s.fallback if not s.metrics.get(r, {}).get("folds")]
    if unjudged:
        echo(f"For {', '.join(unjudged)} the role detector is kept: learning needs three coded "
             "documents and a few examples of each role.")
    echo(f"Re-scored {s.rescored} open proposals ({s.withdrawn} withdrawn from your queue: "
         f"below the threshold); {s.added} learned role proposals added.")
    echo(f"Next: realistcoder review --reviewer {name}" if name != CONSENSUS else
         "Next: realistcoder proposals --status pending --reviewer consensus")


CHOICES = {"learned": "your model", "recalibrated": "the detector with your threshold",
           "detector": "the detector"}


def _roles(counts) -> str:
    return ", ".join(f"{role} {counts.get(role, 0)}" for role in ROLE_ORDER
                     if counts.get(role, 0) or role != "other")


def _filters(func):
    options = [
        click.option("--code", "codes", multiple=True, help="Only this code id; repeatable."),
        click.option("--role", "roles", multiple=True, type=click.Choice(ROLES),
                     help="Only this role; repeatable."),
        click.option("--theory", "theories", multiple=True,
                     help="Only this theory or area id; repeatable."),
        click.option("--document", "documents", multiple=True, metavar="DOC",
                     help="Only this document (id, file name or path); repeatable."),
        click.option("--status", type=click.Choice(proposals_db.STATUSES), default="all",
                     show_default=True,
                     help="Per reviewer (the review is blinded): pending: not yet decided by "
                     "--reviewer; decided: accepted, rejected or recoded by --reviewer; "
                     "superseded: replaced by a newer codebook version; all: all but "
                     "superseded. pending/decided need --reviewer (or --unblind: by anyone)."),
        click.option("--reviewer", default=None, metavar="NAME",
                     help="Whose decisions --status and the status column refer to "
                     "[default: $REALISTCODER_REVIEWER, unless --unblind]."),
        click.option("--unblind", is_flag=True,
                     help="Without --reviewer: count anyone's decisions (once every reviewer "
                     "has finished)."),
        click.option("--min-score", type=float, default=None, callback=_score,
                     help="Only proposals scoring at least this."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _select(app, codes, roles, theories, documents, status, min_score, reviewer, unblind,
            limit=None):
    store = app.store(create=False)
    return proposals_db.list_proposals(
        store, codes=codes, roles=roles, theories=theories,
        document_ids=_document_ids(store, documents) or (), status=status,
        min_score=min_score, limit=limit,
        reviewer=viewer(reviewer, unblind),
        unblinded=unblind,
    )


def highlight(text: str, matched: list[dict], color: bool) -> str:
    """The sentence with matched words in [brackets] and cues in {braces} (or in colour)."""
    spans = sorted(
        (m for m in matched
         if "start" in m and "end" in m and 0 <= m["start"] < m["end"] <= len(text)),
        key=lambda m: (m["start"], -m["end"]),
    )
    out, pos = [], 0
    for m in spans:
        if m["start"] < pos:
            continue
        out.append(text[pos : m["start"]])
        piece = text[m["start"] : m["end"]]
        kind = m.get("kind", "term")
        is_term = kind in ("term", "near", "pattern", "fuzzy")
        if color:
            style = ({"fg": "green", "bold": True} if is_term
                     else {"fg": "red"} if kind in ("negation", "hedge") else {"fg": "cyan"})
            out.append(click.style(piece, **style))
        else:
            out.append(f"[{piece}]" if is_term else f"{{{piece}}}")
        pos = m["end"]
    out.append(text[pos:])
    return "".join(out)


@root.command("proposals")
@_filters
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Show at most N.")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def proposals_command(app, codes, roles, theories, documents, status, min_score, reviewer,
                      unblind, limit, fmt, output):
    """List proposals, with the words that triggered them.

    In the table, matched words are in [brackets] and cues, negations and hedges in {braces}
    (in colour on a terminal).

    Blinding: a proposal's status is per reviewer. `--reviewer NAME --status pending` lists what
    NAME has not decided yet, whatever others did; without --reviewer, pending / decided need
    --unblind (decided by anyone), and the status column reads "blinded".

    Example: realistcoder proposals --role outcome --reviewer alice --status pending
    """
    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    rows = _select(app, codes, roles, theories, documents, status, min_score, reviewer, unblind,
                   limit)
    color = stdout_is_terminal() and output is None
    emit(rows, EXPORT_FIELDS, fmt, output, what="proposals", title="Proposals",
         empty="No proposals match. (Run `realistcoder propose`, or relax the filters.)",
         table=lambda rs: _proposals_table(rs, color))
    if fmt == "table" and rows and output is None:
        echo(f"{len(rows)} proposals", err=True)


def _proposals_table(rows: list[dict], color: bool) -> list[str]:
    lines = []
    for row in rows:
        flags = f"  [{', '.join(row['flags'])}]" if row["flags"] else ""
        status = "" if row["status"] == "blinded" else f"  {row['status']}"
        what = (f"{row['code']} ({row['theory'] or '-'})" if row["code"]
                else "(role proposal, no code)")
        head = (f"#{row['proposal_id']}  {row['score']:.2f}  {row['role']:<9}  {what}  "
                f"{row['document']} p.{row['page']}  {row['method']}{status}{flags}")
        lines.append(click.style(head, bold=True) if color else head)
        lines.append("    " + highlight(row["text"], row["matched"], color))
    return lines


@export_group.command("proposals")
@_filters
@format_option(RECORD_FORMATS, "jsonl")
@output_option()
@pass_app
def export_proposals(app, codes, roles, theories, documents, status, min_score, reviewer,
                     unblind, fmt, output):
    """Write proposals, one record per proposal (JSON lines, JSON, CSV, XLSX, Markdown, HTML).

    A role proposal has code null (empty in CSV); with --reviewer NAME the export holds what
    NAME sees: their learned proposals and learned scores included.

    Fields: proposal_id, document, page, sentence_id, text, code, role, theory, score, matched
    (the spans that triggered it, with character offsets in the sentence), label,
    mechanism_type, method, flags, codebook, codebook_version, codebook_id, document_id,
    section, status, created_at, model_id (the learned model behind a learned proposal; see
    `realistcoder models`). In CSV, matched and flags are JSON text. status is per
    reviewer, as in `realistcoder proposals` (blinded without --reviewer or --unblind).

    Example: realistcoder export proposals -o proposals.csv
    """
    fmt = pick_format(output, fmt, RECORD_FORMATS, "jsonl")
    rows = _select(app, codes, roles, theories, documents, status, min_score, reviewer, unblind)
    emit(rows, EXPORT_FIELDS, fmt, output, what="proposals", title="Proposals")


MODEL_FIELDS = ("id", "reviewer", "method", "version", "created_at", "n_decisions",
                "last_decision_id", "n_sentences", "examples", "settings", "metrics", "uuid")


@root.command("models")
@click.option("--reviewer", "-r", metavar="NAME", help="Only NAME's models (blinded view).")
@click.option("--unblind", is_flag=True, help="Every reviewer's models.")
@format_option(LISTING_FORMATS, "table")
@output_option()
@pass_app
def models_command(app, reviewer, unblind, fmt, output):
    """List the learned models: the ledger `propose --learn` keeps.

    Each row says whose decisions a model learned from, how many (and up to which decision),
    when, with which version, on how many sentences per role, and, per role, what was kept
    (your model, the detector with your threshold, or the detector) with its cross-validated
    F1 against the detector as shipped.

    Example: realistcoder models --reviewer alice
    """
    from realistcoder.store import learning

    fmt = pick_format(output, fmt, LISTING_FORMATS, "table")
    reviewer = viewer(reviewer, unblind)
    if not reviewer and not unblind:
        raise InputError("the models are each reviewer's own", subject="models",
                         fix="pass --reviewer NAME, or --unblind for everyone's")
    store = app.store(create=False)
    rows = learning.models(store, None if unblind else check_reviewer(reviewer))
    if reviewer and unblind:
        rows = [r for r in rows if r["reviewer"] == reviewer]
    for r in rows:
        for key in ("examples", "settings", "metrics"):
            r[key] = json.loads(r[key])
    emit(rows, MODEL_FIELDS, fmt, output, what="models", title="Learned models",
         empty="No learned models yet: run `realistcoder propose --learn --reviewer NAME`.",
         table=_models_table)


def _models_table(rows: list[dict]) -> list[str]:
    lines = []
    for r in rows:
        ex = ", ".join(f"{k} {v['positive']}+/{v['negative']}-" for k, v in r["examples"].items())
        cv = ", ".join(f"{k} {v['choice']} {v['f1']:.2f} vs {v['cold_f1']:.2f}"
                       for k, v in r["metrics"].items() if v.get("folds"))
        lines.append(f"#{r['id']}  {r['reviewer']}  {r['created_at'][:19]}  {r['n_decisions']} "
                     f"decisions (to #{r['last_decision_id']})  {r['n_sentences']} sentences: "
                     f"{ex}")
        lines.append(f"      {r['version']}; kept per role, cross-validated F1 vs the "
                     f"detector: {cv or 'n/a'}")
    return lines
