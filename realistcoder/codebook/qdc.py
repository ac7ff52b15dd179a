"""REFI-QDA codebook exchange (``.qdc``, QDA-XML codebook 1.0): read and write.

The standard has room for a code's name, colour, description and children only. realistcoder
keeps everything else a round trip needs (id, role, mechanism type, theory, guidance, terms,
patterns) in a ``[realistcoder]`` block of YAML at the end of each code's ``<Description>``:
readable in NVivo, ATLAS.ti or QualCoder, and read back exactly here. Theories become ``<Set>``s
of their codes, and one more set carries the codebook's name, version and description.
GUIDs are uuid5 of the codebook name and code id, so re-exporting gives the same GUIDs.

Codebooks made by other tools (no ``[realistcoder]`` blocks) are read too: ids are made from
code names, a top-level code named like "Context(s)", "Mechanism(s)" or "Outcome(s)" gives its
role to its children, and sets become theories.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import yaml

from realistcoder.codebook.build import Lined, LinedList, Problem
from realistcoder.codebook.model import Code, Codebook

NS = "urn:QDA-XML:codebook:1.0"
MARKER = "[realistcoder]"
GUID_NAMESPACE = uuid.UUID("6b1f3c2e-8d4a-5e7b-9c0d-2a4f6e8b1c3d")
GUID_RE = re.compile(r"^(\{)?[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}(?(1)\})$")
RGB_RE = re.compile(r"#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})")
COLOURS = {"context": "#3A7BD5", "resource": "#F2994A", "reasoning": "#9B51E0",
           "outcome": "#27AE60", "other": "#828282"}
ROLE_NAMES = {"c": "context", "context": "context", "contexts": "context",
              "m": "mechanism", "mechanism": "mechanism", "mechanisms": "mechanism",
              "o": "outcome", "outcome": "outcome", "outcomes": "outcome"}


def code_guid(codebook_name: str, code_id: str) -> str:
    """The stable GUID of a code: the same codebook name and code id give the same GUID."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{codebook_name}/code/{code_id}"))


def _set_guid(codebook_name: str, kind: str, key: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"{codebook_name}/{kind}/{key}"))


def _trailer(data: dict[str, Any]) -> str:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    return f"{MARKER}\n{body}"


def _description(text: str, data: dict[str, Any]) -> str:
    return f"{text}\n\n{_trailer(data)}" if text else _trailer(data)


def _code_meta(code: Code) -> dict[str, Any]:
    meta: dict[str, Any] = {"id": code.id, "role": code.role}
    for key in ("mechanism_type", "theory", "level", "inclusion", "exclusion"):
        if getattr(code, key):
            meta[key] = getattr(code, key)
    for key in ("examples", "terms", "exclude", "patterns"):
        if getattr(code, key):
            meta[key] = getattr(code, key)
    return meta


def write_qdc(codebook: Codebook, origin: str = "realistcoder") -> bytes:
    """The codebook as a ``.qdc`` document (UTF-8 bytes), valid against Codebook.xsd."""
    from lxml import etree

    root = etree.Element(f"{{{NS}}}CodeBook", nsmap={None: NS}, origin=origin)
    codes_el = etree.SubElement(root, f"{{{NS}}}Codes")

    def add(parent_el, code: Code) -> None:
        colour = COLOURS.get(code.mechanism_type or code.role, COLOURS["other"])
        el = etree.SubElement(parent_el, f"{{{NS}}}Code", guid=code_guid(codebook.name, code.id),
                              name=code.label or code.id, isCodable="true", color=colour)
        etree.SubElement(el, f"{{{NS}}}Description").text = _description(
            code.description, _code_meta(code))
        for child in codebook.children(code.id):
            add(el, child)

    for code in codebook.roots():
        add(codes_el, code)
    sets_el = etree.SubElement(root, f"{{{NS}}}Sets")
    for theory in codebook.theories:
        el = etree.SubElement(sets_el, f"{{{NS}}}Set",
                              guid=_set_guid(codebook.name, "theory", theory.id),
                              name=theory.label or theory.id)
        etree.SubElement(el, f"{{{NS}}}Description").text = _description(
            theory.description, {"theory": theory.id})
        for code in codebook.codes:
            if code.theory == theory.id:
                etree.SubElement(el, f"{{{NS}}}MemberCode", guid=code_guid(codebook.name, code.id))
    meta_el = etree.SubElement(sets_el, f"{{{NS}}}Set",
                               guid=_set_guid(codebook.name, "codebook", codebook.name),
                               name=f"realistcoder codebook: {codebook.name} {codebook.version}")
    etree.SubElement(meta_el, f"{{{NS}}}Description").text = _description(
        codebook.description, {"codebook": codebook.name, "version": codebook.version})
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


# ---------------------------------------------------------------------------------------------
# reading


def split_description(text: str | None) -> tuple[str, dict | None, str | None]:
    """(human text, realistcoder block or None, YAML error or None)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if MARKER not in text:
        return text.strip(), None, None
    if text.startswith(MARKER + "\n") or text.strip() == MARKER:
        human, block = "", text[len(MARKER):]
    elif f"\n{MARKER}\n" in text or text.endswith(f"\n{MARKER}"):
        human, block = text.split(f"\n{MARKER}", 1)
    else:
        return text.strip(), None, None
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as err:
        return human.strip(), None, " ".join(str(err).split())
    if data is not None and not isinstance(data, dict):
        return human.strip(), None, "the block is not a mapping"
    return human.strip(), data or {}, None


_split_description = split_description  # the old private name, still used by export.refi_import


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug or "code"


def read_qdc(path: Path) -> tuple[Lined | None, list[Problem]]:
    """A ``.qdc`` file as builder input, with problems named by XML line."""
    from lxml import etree

    problems: list[Problem] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as err:
        return None, [Problem(err.lineno or None, f"not well-formed XML: {err.msg}")]
    if etree.QName(root).localname != "CodeBook" or etree.QName(root).namespace != NS:
        return None, [Problem(root.sourceline, f"the root element is {root.tag}, not "
                              f"<CodeBook xmlns=\"{NS}\"> (is this a REFI-QDA codebook?)")]

    def q(name: str) -> str:
        return f"{{{NS}}}{name}"

    raw = Lined({"name": path.stem, "version": "1"}, line=root.sourceline)
    used_ids: set[str] = set()
    guid_to_node: dict[str, Lined] = {}

    def read_code(el, parent_role: str | None) -> Lined:
        line = el.sourceline
        node = Lined(line=line)
        desc_el = el.find(q("Description"))
        human, meta, error = split_description(desc_el.text if desc_el is not None else "")
        if error:
            problems.append(Problem(desc_el.sourceline, f"the {MARKER} block of code "
                                    f"{el.get('name')!r} is not valid YAML: {error}"))
        name = el.get("name") or ""
        if meta is not None:
            for key, value in meta.items():
                node[key] = value
                node.lines[key] = line
            node.setdefault("label", name)
        else:  # made by another tool: ids from names, roles from "Context"-like parents
            node["label"] = name
            base = _slug(name)
            cid, n = base, 2
            while cid in used_ids:
                cid, n = f"{base}_{n}", n + 1
            node["id"] = cid
            if parent_role is None:  # under a C/M/O parent, the builder inherits its role
                node["role"] = ROLE_NAMES.get(name.strip().lower()) or "other"
                if node["role"] == "mechanism":
                    node["mechanism_type"] = "reasoning"
        node.lines.update({k: line for k in node if k not in node.lines})
        if human:
            node["description"] = human
        used_ids.add(str(node.get("id")))
        guid_to_node[str(el.get("guid", "")).strip("{}").lower()] = node
        role = node.get("role") or parent_role
        inherited = role if role in ("context", "mechanism", "outcome") else None
        children = LinedList(line=line)
        for child in el.findall(q("Code")):
            children.append(read_code(child, inherited))
            children.lines.append(child.sourceline)
        if children:
            node["codes"] = children
            node.lines["codes"] = line
        elif meta is None and inherited and "terms" not in node:
            node["terms"] = [name]  # a foreign C/M/O code: its name is the one term we know
            node.lines["terms"] = line
        return node

    codes_el = root.find(q("Codes"))
    codes = LinedList(line=codes_el.sourceline if codes_el is not None else root.sourceline)
    for el in codes_el.findall(q("Code")) if codes_el is not None else []:
        codes.append(read_code(el, None))
        codes.lines.append(el.sourceline)
    raw["codes"] = codes
    raw.lines["codes"] = codes.line

    theories = LinedList(line=root.sourceline)
    for set_el in root.iterfind(f"{q('Sets')}/{q('Set')}"):
        desc_el = set_el.find(q("Description"))
        human, meta, _ = split_description(desc_el.text if desc_el is not None else "")
        if meta and "codebook" in meta:
            raw["name"] = str(meta["codebook"])
            raw["version"] = str(meta.get("version", "1"))
            if human:
                raw["description"] = human
            continue
        tid = str(meta["theory"]) if meta and "theory" in meta else _slug(set_el.get("name", ""))
        theory = Lined({"id": tid, "label": set_el.get("name") or tid}, line=set_el.sourceline)
        if human:
            theory["description"] = human
        theories.append(theory)
        theories.lines.append(set_el.sourceline)
        if not meta:  # another tool's code group: its members take it as their theory
            for member in set_el.iterfind(q("MemberCode")):
                node = guid_to_node.get(str(member.get("guid", "")).strip("{}").lower())
                if node is not None and "theory" not in node:
                    node["theory"] = tid
    raw["theories"] = theories
    return raw, problems


def structure_problems(data: bytes) -> list[str]:
    """What Codebook.xsd would refuse, checked without the schema file (a copy-free check)."""
    from lxml import etree

    out: list[str] = []
    root = etree.fromstring(data)
    if root.tag != f"{{{NS}}}CodeBook":
        return [f"root is {root.tag}, not CodeBook in {NS}"]
    kids = [etree.QName(k).localname for k in root if isinstance(k.tag, str)]
    if kids[:1] != ["Codes"] or kids[1:] not in ([], ["Sets"]):
        out.append(f"CodeBook children must be Codes then optional Sets, not {kids}")
    guids: set[str] = set()
    for el in root.iter(f"{{{NS}}}Code"):
        for attr in ("guid", "name", "isCodable"):
            if el.get(attr) is None:
                out.append(f"line {el.sourceline}: Code without {attr}")
        if el.get("guid") and not GUID_RE.match(el.get("guid")):
            out.append(f"line {el.sourceline}: bad GUID {el.get('guid')!r}")
        if el.get("isCodable") not in ("true", "false", "1", "0"):
            out.append(f"line {el.sourceline}: isCodable must be a boolean")
        if el.get("color") and not RGB_RE.fullmatch(el.get("color")):
            out.append(f"line {el.sourceline}: bad color {el.get('color')!r}")
        names = [etree.QName(k).localname for k in el if isinstance(k.tag, str)]
        if "Description" in names[1:] or names.count("Description") > 1 or set(names) - {
            "Description", "Code"}:
            out.append(f"line {el.sourceline}: Code holds {names}: one optional Description "
                       "first, then Codes")
        if el.get("guid") in guids:
            out.append(f"line {el.sourceline}: duplicate GUID {el.get('guid')}")
        guids.add(el.get("guid"))
    codes_el = root.find(f"{{{NS}}}Codes")
    if codes_el is not None and codes_el.find(f"{{{NS}}}Code") is None:
        out.append("Codes must hold at least one Code")
    sets_el = root.find(f"{{{NS}}}Sets")
    if sets_el is not None and sets_el.find(f"{{{NS}}}Set") is None:
        out.append("<Sets> without a <Set> is invalid")
    for el in root.iter(f"{{{NS}}}MemberCode"):
        if el.get("guid") not in guids:
            out.append(f"line {el.sourceline}: MemberCode names an unknown GUID")
    return out
