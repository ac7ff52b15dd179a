"""``realistcoder status``: how far the review has got, per reviewer, theory and role."""

from __future__ import annotations

from realistcoder.store import review as rv
from realistcoder.store.db import Store
from realistcoder.store.documents import older_version_codings

ROLE_ORDER = ("context", "mechanism", "outcome", "other")


def review_status(store: Store, viewer: str | None = None, unblinded: bool = False) -> dict:
    """Figures as plain data. Blinded: with a ``viewer``, only their own rows; without one and
    not unblinded, per-reviewer rows are hidden and only the totals of proposals are shown.
    Blinded, nothing tells whether or how many others have decided."""
    raw = rv.status_counts(store)

    def visible(name: str) -> bool:
        return unblinded or name == viewer

    docs = {r["status"]: r["n"] for r in raw["documents"]}
    reviewers: dict[str, dict] = {}
    for r in raw["reviews"]:
        if visible(r["reviewer"]):
            reviewers.setdefault(r["reviewer"], {"accepted": 0, "rejected": 0, "recoded": 0,
                                                 "pending": 0})[r["status"]] = r["n"]
    if viewer and viewer not in reviewers:
        reviewers[viewer] = {"accepted": 0, "rejected": 0, "recoded": 0, "pending": 0}
    for counts in reviewers.values():
        decided = counts["accepted"] + counts["rejected"] + counts["recoded"]
        counts["decided"] = decided
        counts["pending"] = max(raw["proposals"] - decided, 0)
    codings: dict[str, dict[str, dict[str, int]]] = {}
    for r in raw["codings"]:
        if visible(r["reviewer"]):
            codings.setdefault(r["reviewer"], {}).setdefault(r["theory"], {})[r["role"]] = r["n"]
    return {
        "documents": {"ok": docs.get("ok", 0), "failed": docs.get("failed", 0),
                      "superseded": docs.get("superseded", 0)},
        "proposals": raw["proposals"],
        "reviewers": reviewers,
        "codings": codings,
        "appraised": {r["reviewer"]: r["n"] for r in raw["appraised"] if visible(r["reviewer"])},
        # codings a changed document's new version could not take: to uncode or redo
        "on_older_versions": {k: v for k, v in older_version_codings(store).items()
                              if visible(k)},
        "blinded": not unblinded,
        # how many have decided is itself the kind of thing blinding hides
        "all_reviewers": len(rv.reviewers(store)) if unblinded else None,
        "viewer": viewer,
    }


def render_status(data: dict) -> str:
    d = data["documents"]
    lines = [f"documents: {d['ok']} ingested"
             + (f", {d['failed']} failed" if d["failed"] else "")
             + (f", {d['superseded']} superseded" if d["superseded"] else ""),
             f"proposals: {data['proposals']}"]
    if data["reviewers"]:
        lines += ["", f"{'reviewer':<16}{'decided':>9}{'accepted':>10}{'recoded':>9}"
                  f"{'rejected':>10}{'pending':>9}"]
        for name, c in sorted(data["reviewers"].items()):
            lines.append(f"{name:<16}{c['decided']:>9}{c['accepted']:>10}{c['recoded']:>9}"
                         f"{c['rejected']:>10}{c['pending']:>9}")
    if data["codings"]:
        lines += ["", f"{'codings':<16}{'theory':<22}" + "".join(f"{r:>10}" for r in ROLE_ORDER)]
        for name, theories in sorted(data["codings"].items()):
            for theory, roles in sorted(theories.items()):
                lines.append(f"{name:<16}{theory[:21]:<22}"
                             + "".join(f"{roles.get(r, 0):>10}" for r in ROLE_ORDER))
    if data.get("on_older_versions"):
        lines += ["", "codings left on an older version of a changed document (not carried to "
                  "the new version): "
                  + ", ".join(f"{k} {v}" for k, v in sorted(data["on_older_versions"].items())),
                  "  list them with `realistcoder export codings --older-versions`, then uncode "
                  "them or code the new text"]
    if data["appraised"]:
        lines += [""] + [f"appraised by {k}: {v} documents"
                         for k, v in sorted(data["appraised"].items())]
    if data["blinded"] and not data.get("viewer"):
        lines += ["", "the review is blinded: pass --reviewer NAME for your own figures, "
                  "--unblind for everyone's"]
    return "\n".join(lines)
