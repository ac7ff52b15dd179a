"""Freeze a filled worksheet into ``labels/<ID>.tsv`` (no sentence text is kept).

Usage: python bench/devset/freeze.py /tmp/realistcoder-labels/D07.tsv
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from devset import LABELS, RESERVED, Label, parse_roles, write_labels  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("worksheet", type=Path)
    args = ap.parse_args()
    labels, counts = [], {"context": 0, "mechanism": 0, "outcome": 0, "none": 0}
    with args.worksheet.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            try:
                roles = parse_roles(row["roles"] or "")
            except ValueError as err:
                raise SystemExit(f"{args.worksheet}: row {row['n']}: {err}") from err
            if roles is None:
                continue
            if row["file"].startswith(RESERVED):
                raise SystemExit(f"{row['file']} is reserved for independent evaluation")
            labels.append(Label(row["file"], int(row["page"]), row["fingerprint"], row["first"],
                                roles))
            for r in roles or ("none",):
                counts[r] += 1
    if not labels:
        raise SystemExit("no labelled rows")
    out = LABELS / f"{labels[0].doc_id}.tsv"
    write_labels(out, labels)
    print(f"{len(labels)} labelled sentences -> {out} ({counts})")


if __name__ == "__main__":
    main()
