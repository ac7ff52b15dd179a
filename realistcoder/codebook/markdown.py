"""A codebook as Markdown tables, for the appendix of a review protocol (one table per theory)."""

from __future__ import annotations

from realistcoder.codebook.model import Code, Codebook

ROLE_ORDER = {"context": 0, "mechanism": 1, "outcome": 2, "other": 3}


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def role_label(code: Code) -> str:
    role = (f"mechanism ({code.mechanism_type})" if code.role == "mechanism"
            and code.mechanism_type else code.role)
    return f"{role}, {code.level} level" if code.level else role


def _row(codebook: Codebook, code: Code) -> str:
    indent = "&nbsp;&nbsp;" * codebook.depth(code)
    guidance = []
    if code.inclusion:
        guidance.append(f"**Include:** {code.inclusion}")
    if code.exclusion:
        guidance.append(f"**Exclude:** {code.exclusion}")
    terms = "; ".join(code.terms)
    if code.patterns:
        terms += f" (+{len(code.patterns)} pattern{'s' * (len(code.patterns) > 1)})"
    cells = [f"`{code.id}`", f"{indent}{code.label}", role_label(code), code.description,
             " ".join(guidance), terms]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def write_markdown(codebook: Codebook) -> str:
    lines = [f"# Codebook: {codebook.name} (version {codebook.version})", ""]
    if codebook.description:
        lines += [_cell(codebook.description), ""]
    lines += [f"{len(codebook.codes)} codes. Terms are matched on lemmas (word base forms), so "
              "each term also finds its inflected forms.", ""]
    groups: list[tuple[str, str, list[Code]]] = []
    for theory in codebook.theories:
        title = theory.label if theory.label == theory.id else f"{theory.label} (`{theory.id}`)"
        groups.append((title, theory.description,
                       [c for c in codebook.codes if c.theory == theory.id]))
    known = {t.id for t in codebook.theories}
    rest = [c for c in codebook.codes if c.theory not in known]
    if rest:
        groups.append(("Codes without a theory", "", rest))
    for title, description, codes in groups:
        if not codes:
            continue
        lines += [f"## {title}", ""]
        if description:
            lines += [_cell(description), ""]
        lines += ["| Code | Label | Role | Definition | Guidance | Terms |",
                  "|---|---|---|---|---|---|"]
        # keep the codebook's order inside a role, roles in C, M, O, other order
        order = {c.id: i for i, c in enumerate(codebook.codes)}
        codes = sorted(codes, key=lambda c: (ROLE_ORDER.get(_root_role(codebook, c), 9),
                                             order[_root(codebook, c).id], order[c.id]))
        lines += [_row(codebook, c) for c in codes]
        lines.append("")
    return "\n".join(lines)


def _root(codebook: Codebook, code: Code) -> Code:
    by_id = {c.id: c for c in codebook.codes}
    seen = {code.id}
    while code.parent in by_id and code.parent not in seen:
        code = by_id[code.parent]
        seen.add(code.id)
    return code


def _root_role(codebook: Codebook, code: Code) -> str:
    return _root(codebook, code).role
