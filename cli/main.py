"""Entry point: the root group, which imports a command's module only when that command runs.

Each command module attaches its commands to the groups in ``groups``; ``COMMANDS`` says which
modules define each top-level command (or, for a group, its subcommands), so that `decide`
loads the review commands and nothing else (start-up time: see bench/bench_startup.py).
"""

from __future__ import annotations

from realistcoder.cli.groups import cli
from realistcoder.cli.terminal import clean_terminal_output

# top-level command -> the CLI modules that define it (for a group: all its subcommands, in
# the order they are listed)
COMMANDS: dict[str, tuple[str, ...]] = {
    "ingest": ("ingest",),
    "documents": ("ingest", "documents", "flow"),
    "sentences": ("ingest",),
    "search": ("ingest",),
    "segment": ("segment",),
    "simulate": ("simulate",),
    "codebook": ("codebook", "attributes"),
    "propose": ("propose",),
    "proposals": ("propose",),
    "models": ("propose",),
    "review": ("review",),
    "decide": ("review",),
    "code": ("review",),
    "uncode": ("review",),
    "undo": ("review",),
    "log": ("review",),
    "appraise": ("review",),
    "status": ("review",),
    "merge": ("review",),
    "cmoc": ("cmoc", "cmoc_refine"),
    "theory": ("theory",),
    "polarity": ("attributes",),
    "gaps": ("gaps",),
    "flow": ("flow",),
    "report": ("report",),
    "audit": ("audit",),
    "resolve": ("audit",),
    "export": ("export", "ingest", "propose", "review", "gaps", "theory"),
    "import": ("export", "review"),
}
# the one-line summary of each command, shown by `realistcoder --help` without importing the
# command modules (tests/test_architecture.py checks that each matches its docstring)
SUMMARIES: dict[str, str] = {
    "ingest": "Read PDFs, .txt and .md files (files, folders, globs) into sentences in the store.",
    "documents": "List ingested documents (the default), or fix their citation details.",
    "sentences": "Show the sentences of one document (by id or file name).",
    "search": (
        "Full-text search over sentences (SQLite FTS5: words, \"phrases\", OR, NOT, "
        "prefix*)."),
    "segment": "Split plain text (FILE, or standard input with - or no argument) into sentences.",
    "codebook": "Check, inspect, store and convert codebooks (YAML, CSV, XLSX, REFI-QDA .qdc).",
    "propose": "Propose Context / Mechanism / Outcome roles and codes for the ingested sentences.",
    "models": "List the learned models: the ledger `propose --learn` keeps.",
    "simulate": (
        "Replay a finished coding to see how much learning helps (like ASReview's "
        "simulation)."),
    "proposals": "List proposals, with the words that triggered them.",
    "review": "Review proposals one by one in the terminal: accept, reject, recode, extend, note.",
    "decide": "Accept, reject or recode one proposal.",
    "code": "Code a sentence, or a run of sentences, by hand (what no proposal found).",
    "uncode": "Remove one of your codings (it stays in the audit trail).",
    "undo": "Undo your latest decision (or a given one, or a whole import batch), exactly.",
    "log": "Show the decision log (the audit trail), oldest first.",
    "appraise": (
        "Record your relevance and rigour appraisal of a document, or with --consensus the "
        "team's (see `realistcoder audit --appraisal` for where reviewers differ)."),
    "status": "Documents, proposals pending / decided per reviewer, codings per theory and role.",
    "merge": "Bring another store's documents, codebooks, proposals and decisions into this one.",
    "cmoc": "Build, list, show, edit and suggest CMO configurations (context-mechanism-outcome).",
    "theory": "Programme theories: their current statement, how they were refined, and why.",
    "polarity": "Mark codings as enabling or blocking (facilitators and barriers).",
    "gaps": (
        "The register of knowledge gaps (nothing found) and uncertainties (thin or conflicting "
        "evidence), linked to theories, CMOCs, codings and documents."),
    "flow": "The document flow (PRISMA-style): counts, and the diagram with -o.",
    "report": "Reporting checklists, filled with what the review store can evidence.",
    "audit": (
        "Inter-coder agreement per code and overall, on sentences of documents all "
        "reviewers reviewed: counts, percent and positive agreement, Cohen's and Fleiss' "
        "kappa, Krippendorff's alpha (with a bootstrap 95% CI) and Gwet's AC1; undefined "
        "figures say why."),
    "resolve": (
        "Record the team's consensus: from a filled disagreements worksheet (.csv / "
        ".xlsx), or for one sentence (or run of sentences) with --code / --none."),
    "export": "Write sentences, proposals, codings and report tables to files.",
    "import": "Bring codings, decisions or projects made elsewhere into the store.",
}
cli.lazy_modules = COMMANDS
cli.summaries = SUMMARIES


def main() -> None:
    with clean_terminal_output():  # no control sequence from the data reaches a terminal
        cli(prog_name="realistcoder")


if __name__ == "__main__":
    main()
