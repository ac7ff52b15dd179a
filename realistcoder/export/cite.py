"""Short in-table citations ("Marsh et al. 2018") and reference-list entries, from the
citation fields stored on documents (authors, year, title, type, DOI)."""

from __future__ import annotations

import json
import re

TITLE_CHARS = 60


def normalise_doi(value: str | None) -> str:
    """A DOI as written, without a ``https://doi.org/`` or ``doi:`` prefix (DOIs are
    case-insensitive: compare them with :func:`same_doi`, but show them as the source wrote
    them)."""
    if not value:
        return ""
    value = re.sub(r"(?i)^(https?://(dx\.)?doi\.org/|doi:\s*)", "", value.strip())
    return value.strip().rstrip(".")


def same_doi(a: str | None, b: str | None) -> bool:
    a, b = normalise_doi(a), normalise_doi(b)
    return bool(a) and a.lower() == b.lower()



def parse_authors(value: str | None) -> list[str]:
    """Authors as stored (a JSON list, or names separated by ``;`` or `` and ``)."""
    if not value:
        return []
    value = value.strip()
    if value.startswith("["):
        try:
            return [str(a).strip() for a in json.loads(value) if str(a).strip()]
        except ValueError:
            pass
    if ";" in value:
        return [a.strip() for a in value.split(";") if a.strip()]
    # "Lois G. Kim, Michael J. Sweeting and Jo Smith" (PDF metadata): a list of whole names,
    # unlike "Kim, Lois" (one name, surname first)
    parts = [a.strip() for a in re.split(r",|\band\b|&", value) if a.strip()]
    if "," in value and len(parts) > 1 and all(len(a.split()) >= 2 for a in parts):
        return parts
    for sep in (" and ", " & "):
        if sep in value:
            return [a.strip() for a in value.split(sep) if a.strip()]
    return [value]


_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# lower-case name particles that belong to the surname ("Anna van der Berg" -> "van der Berg")
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le",
              "ten", "ter", "dos", "das", "bin", "al", "el", "zu", "vom", "op"}
# words that mark an organisation written without braces ("NHS England", "The King's Fund")
_BODY_WORDS = re.compile(
    r"(?i)\b(nhs|england|scotland|wales|britain|kingdom|department|ministry|office|agency|"
    r"institute|institution|foundation|fund|trust|council|commission|committee|organi[sz]ation|"
    r"association|society|college|university|centre|center|services?|board|authority|group|"
    r"network|alliance|partnership|government|national|international|world|who|nice|cqc|"
    r"collaboration|consortium|programme|program|unit|team|company|ltd|inc|plc|gmbh)\b")


def is_body(name: str) -> bool:
    """True for an organisation as author: ``{NHS England}``, or words such as "NHS",
    "Department", "Foundation" in a name written without a comma."""
    name = name.strip()
    if name.startswith("{") and name.endswith("}"):
        return True
    return "," not in name and bool(_BODY_WORDS.search(name))


def surname(name: str) -> str:
    """``Smith, John`` or ``John Smith`` → ``Smith``; ``Anna van der Berg`` → ``van der Berg``;
    an organisation (``{NHS England}``, ``NHS England``) → the whole name."""
    name = name.strip()
    if name.startswith("{") and name.endswith("}"):
        return name[1:-1].strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    if is_body(name):
        return name
    words = [w for w in name.split() if w.lower() not in _SUFFIXES]
    if not words:
        return name
    k = len(words) - 1
    while k > 1 and words[k - 1] in _PARTICLES:  # particles are written in lower case
        k -= 1
    return " ".join(words[k:])


def display_authors(value: str | None) -> str:
    """Stored authors for a table: ``Smith, John; NHS England``."""
    return "; ".join(a.strip("{}") for a in parse_authors(value))


def format_authors(names: list[str]) -> str:
    """The stored form: ``Last, First; Last, First`` (a body in braces: ``{NHS England}``)."""
    return "; ".join(n.strip() for n in names if n.strip())


def short_citation(doc: dict) -> str:
    """``Smith 2017``, ``Smith & Jones 2017`` or ``Smith et al. 2017``; else title or file."""
    names = [surname(a) for a in parse_authors(doc.get("authors"))]
    year = str(doc.get("year") or "n.d.")
    if names:
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} & {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} {year}"
    title = short_title(doc.get("title") or "")
    if title:
        return f"{title} ({year})" if doc.get("year") else title
    return doc.get("file_name") or f"document {doc.get('id')}"


def short_title(title: str, limit: int = TITLE_CHARS) -> str:
    """A title short enough for a table cell, never cut inside a word: the main title when a
    subtitle makes it long ("Main title: subtitle" -> "Main title"), else whole words up to
    ``limit`` characters and "…"."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    main = re.split(r"\s*[:?!]\s+|\s+[-–—]\s+", title, maxsplit=1)[0]
    if 12 <= len(main) <= limit:
        return main
    cut = title[: limit].rsplit(" ", 1)[0] if " " in title[: limit] else title[:limit]
    return cut.rstrip(" ,;:-–—") + "…"


def full_reference(doc: dict) -> str:
    """One entry of a reference list: ``Authors (Year). Title. Type. https://doi.org/DOI``,
    and the file it was read from."""
    authors = display_authors(doc.get("authors"))
    year = str(doc.get("year") or "n.d.")
    title = " ".join((doc.get("title") or "").split())
    parts = [f"{authors} ({year})." if authors else f"({year})."]
    if title:
        parts.append(title if title.endswith((".", "?", "!")) else title + ".")
    if doc.get("doc_type"):
        parts.append(str(doc["doc_type"]).capitalize() + ".")
    if doc.get("doi"):
        parts.append(f"https://doi.org/{normalise_doi(doc['doi'])}")
    if doc.get("file_name"):
        parts.append(f"[{doc['file_name']}]")
    return " ".join(parts)


def reference_list(docs: list[dict], labels: dict[int, str], cited: set[int]
                   ) -> list[tuple[str, str]]:
    """(short citation, full reference) of the ``cited`` documents, in citation order."""
    entries = [(labels[d["id"]], full_reference(d)) for d in docs if d["id"] in cited]
    return sorted(entries, key=lambda e: e[0].lower())


def citation_labels(docs: list[dict]) -> dict[int, str]:
    """Short citations by document id, with ``a``/``b`` suffixes where two would read alike.

    An older version of a changed file (``status`` superseded: it holds codings that could not
    be carried to the new version) reads as its current version's citation followed by
    ``[older version N]``."""
    current = [d for d in docs if d.get("status", "ok") != "superseded"]
    labels = {d["id"]: short_citation(d) for d in current}
    seen: dict[str, list[int]] = {}
    for doc_id, label in labels.items():
        seen.setdefault(label, []).append(doc_id)
    for label, ids in seen.items():
        if len(ids) > 1 and re.search(r"(\d{4}|n\.d\.)$", label):
            for i, doc_id in enumerate(sorted(ids)):
                labels[doc_id] = f"{label}{chr(ord('a') + i)}" if i < 26 else f"{label}-{i}"
    for d in docs:
        if d["id"] not in labels:
            base = labels.get(d.get("current_id")) or short_citation(d)
            labels[d["id"]] = f"{base} [{older_version_label(d)}]"
    return labels


def older_version_label(doc: dict) -> str:
    """How an older version of a changed file is named wherever it is shown."""
    return f"older version {doc.get('version') or '?'}"
