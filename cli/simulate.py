"""Command: simulate (replay a finished coding as a reviewer working with the tool)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click

from realistcoder.cli.groups import cli, echo, pass_app
from realistcoder.errors import InputError


@cli.command("simulate")
@click.option("--reviewer", "-r", metavar="NAME",
              help="Replay NAME's codings in this store (what they coded and marked).")
@click.option("--labels", "labels_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Replay a labelled file instead: CSV or JSONL with sentence_id and role "
              "(context, mechanism, outcome or none; one row per role).")
@click.option("--batch", type=click.IntRange(min=1), default=100, show_default=True,
              help="Retrain after this many decisions (one point of the curve each).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for --shuffle and the model's fitting: the same seed, the same curve.")
@click.option("--shuffle", is_flag=True, help="Review the documents in a seeded random order "
              "(default: the store's order).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the curve: .png or .svg (a plot), .csv or .json (the points).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="What to print.")
@pass_app
def simulate_cmd(app, reviewer, labels_file, batch, seed, shuffle, output, fmt):
    """Replay a finished coding to see how much learning helps (like ASReview's simulation).

    A simulated reviewer decides the proposals in the order the review queue shows them,
    accepting those whose role the coding gives the sentence and rejecting the rest, then codes
    what no proposal found. Every --batch decisions the model is retrained and applied, as
    `propose --learn` would. After each batch it prints precision, recall and F1 of the
    proposals on the documents not yet reviewed, the work saved at 95% recall (WSS@95), and
    the F1 of the same documents' proposals without learning (cold F1): the gap is what
    learning adds, since each point measures different documents.
    The store is not changed: the simulation runs on a copy.

    \b
    More examples:
      realistcoder simulate --labels coded.csv --batch 50 -o curve.svg
      realistcoder simulate --reviewer alice --shuffle --seed 3 --format csv

    Example: realistcoder simulate --reviewer alice -o curve.png
    """
    from realistcoder.propose.simulate import labels_from_store, simulate

    if bool(reviewer) == bool(labels_file):
        raise InputError("say what to replay", subject="simulate",
                         fix="pass --reviewer NAME or --labels FILE")
    store = app.store(create=False)
    labels = (labels_from_store(store, reviewer) if reviewer
              else read_labels(labels_file))
    store.close()

    def progress(point) -> None:
        if fmt == "table":
            echo(_row(point), err=False)

    if fmt == "table":
        echo(f"{'decisions':>9}  {'docs done':>9}  {'left':>4}  {'P':>5}  {'R':>5}  "
             f"{'F1':>5}  {'WSS@95':>6}  {'cold F1':>7}")
    sim = simulate(app.db_path, labels, batch=batch, seed=seed, shuffle=shuffle,
                   progress=progress if fmt == "table" else None)
    if fmt == "table":
        echo(f"{len(sim.documents)} documents, {sim.labelled} labelled sentences, "
             f"{sim.retrains} retrainings; figures on the documents not yet reviewed.")
    else:
        echo(_dump(sim, fmt))
    if output:
        _write(sim, output)
        echo(f"Wrote {output}", err=True)


def _row(p) -> str:
    def f(v):
        return "    -" if v is None else f"{v:5.3f}"

    return (f"{p.decisions:>9}  {p.documents_done:>9}  {p.documents_left:>4}  {f(p.precision)}"
            f"  {f(p.recall)}  {f(p.f1)}  {f(p.wss95):>6}  {f(p.cold_f1):>7}")


FIELDS = ("decisions", "documents_done", "documents_left", "retrained", "precision", "recall",
          "f1", "wss95", "cold_f1")


def _dump(sim, fmt: str) -> str:
    rows = [{k: getattr(p, k) for k in FIELDS} for p in sim.points]
    if fmt == "json":
        return json.dumps({"documents": sim.documents, "labelled": sim.labelled,
                           "batch": sim.batch, "seed": sim.seed, "retrains": sim.retrains,
                           "points": rows}, indent=1)
    lines = [",".join(FIELDS)] + [",".join("" if r[k] is None else str(r[k]) for k in FIELDS)
                                  for r in rows]
    return "\n".join(lines)


def _write(sim, output: Path) -> None:
    from realistcoder.export.curve import write_curve
    from realistcoder.files import atomic_output

    suffix = output.suffix.lower()
    if suffix in (".csv", ".json"):
        with atomic_output(output) as tmp:
            tmp.write_text(_dump(sim, suffix[1:]) + "\n", encoding="utf-8")
        return
    write_curve(sim, output)


def read_labels(path: Path) -> dict[int, set[str]]:
    """{sentence_id: roles} from a CSV or JSONL file with sentence_id and role (or roles)."""
    if not path.is_file():
        raise InputError("no such file", subject=path, fix="check the path")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read it: {err}", subject=path,
                         fix="save it as UTF-8 CSV or JSON lines") from None
    if path.suffix.lower() in (".jsonl", ".json"):
        try:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as err:
            raise InputError(f"not JSON lines: {err}", subject=path,
                             fix="one JSON object per line") from None
    else:
        rows = list(csv.DictReader(text.splitlines()))
    labels: dict[int, set[str]] = {}
    problems = []
    for n, row in enumerate(rows, 2):
        if not isinstance(row, dict):
            problems.append(f"row {n}: not an object")
            continue
        try:
            sid = int(str(row.get("sentence_id", "")).strip())
        except ValueError:
            problems.append(f"row {n}: sentence_id {row.get('sentence_id')!r} is not a number")
            continue
        roles = row.get("roles", row.get("role", ""))
        roles = roles if isinstance(roles, list) else str(roles or "").replace(";", ",").split(",")
        roles = {r.strip().lower() for r in roles if r and r.strip()}
        bad = roles - {"context", "mechanism", "outcome", "none"}
        if bad or not roles:
            problems.append(f"row {n}: role must be context, mechanism, outcome or none")
            continue
        labels.setdefault(sid, set()).update(roles - {"none"})
    if problems:
        raise InputError(f"{len(problems)} bad row(s); first: {problems[0]}", subject=path,
                         fix="give sentence_id and role on every row")
    return labels
