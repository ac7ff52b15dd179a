"""REFI-QDA codebook exchange (``.qdc``, QDA-XML codebook 1.0): read and write.

The standard has room for a code's name, colour, description and children only. realistcoder
keeps everything else a round trip needs (id, role, mechanism type, theory, guidance, terms,
patterns) in a ``[realistcoder]`` block of YAML at the end of each code's ``<Description>``:
readable in NVivo, ATLAS.ti or QualCoder, and read back exactly here.

Theories travel twice, because tools keep different parts of the standard: as non-codable
parent codes (a theory, then one per role inside it: "Context (workforce)"; QualCoder shows
them as categories, NVivo and ATLAS.ti as folders / code groups, and all of them keep them on
export) and as ``<Set>``s of their codes (which QualCoder drops). One more set carries the
codebook's name, version and description; the theory codes carry the name and version too.
GUIDs are uuid5 of the codebook name and code id, so re-exporting gives the same GUIDs. Code
names are unique in the file (QualCoder refuses a second code or category of the same name).

Codebooks made by other tools (no ``[realistcoder]`` blocks) are read too: ids are transliterated
from code names ("Barrières" -> ``barrieres``), a top-level code named like "Context(s)",
"Mechanism(s)" or "Outcome(s)" gives its role to its children, sets become theories, and colours
are kept.
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


def _code_meta(code: Code, order: int | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"id": code.id, "role": code.role}
    if order is not None:  # the codebook's order, which the theory and role groups shuffle
        meta["order"] = order
    for key in ("mechanism_type", "theory", "level", "inclusion", "exclusion", "color"):
        if getattr(code, key):
            meta[key] = getattr(code, key)
    for key in ("examples", "terms", "exclude", "patterns"):
        if getattr(code, key):
            meta[key] = getattr(code, key)
    return meta


ROLE_GROUPS = (  # (role, mechanism type, label) of the role codes inside a theory code
    ("context", None, "Context"), ("mechanism", "resource", "Mechanism: resource"),
    ("mechanism", "reasoning", "Mechanism: reasoning"), ("mechanism", None, "Mechanism"),
    ("outcome", None, "Outcome"), ("other", None, "Other"))


def unique_name(name: str, taken: set[str], qualifier: str) -> str:
    """``name``, or ``name (qualifier)`` / ``name (2)`` when another code has it already
    (compared without case, as QualCoder does)."""
    out, n = name, 2
    if out.lower() in taken:
        out = f"{name} ({qualifier})" if qualifier else f"{name} (2)"
    while out.lower() in taken:
        out, n = f"{name} ({qualifier or ''}{' ' if qualifier else ''}{n})", n + 1
    taken.add(out.lower())
    return out


def write_qdc(codebook: Codebook, origin: str = "realistcoder",
              taken: set[str] | None = None) -> bytes:
    """The codebook as a ``.qdc`` document (UTF-8 bytes), valid against Codebook.xsd.

    ``taken`` collects the code names used (pass the same set for several codebooks that share
    a project, so that their names stay unique together)."""
    from lxml import etree

    taken = set() if taken is None else taken
    root = etree.Element(f"{{{NS}}}CodeBook", nsmap={None: NS}, origin=origin)
    codes_el = etree.SubElement(root, f"{{{NS}}}Codes")
    book = {"codebook": codebook.name, "version": codebook.version}

    def add(parent_el, code: Code) -> None:
        colour = code.color or COLOURS.get(code.mechanism_type or code.role, COLOURS["other"])
        name = unique_name(code.label or code.id, taken, code.theory or code.id)
        el = etree.SubElement(parent_el, f"{{{NS}}}Code", guid=code_guid(codebook.name, code.id),
                              name=name, isCodable="true", color=colour)
        meta = _code_meta(code, position[code.id])
        if name != (code.label or code.id):  # renamed to stay unique: keep the label
            meta["label"] = code.label
        etree.SubElement(el, f"{{{NS}}}Description").text = _description(code.description, meta)
        for child in codebook.children(code.id):
            add(el, child)

    def group(parent_el, key: str, name: str, text: str, meta: dict, colour: str | None):
        el = etree.SubElement(parent_el, f"{{{NS}}}Code", guid=_set_guid(
            codebook.name, "group", key), name=unique_name(name, taken, ""), isCodable="false")
        if colour:
            el.set("color", colour)
        etree.SubElement(el, f"{{{NS}}}Description").text = _description(text, meta)
        return el

    position = {c.id: i for i, c in enumerate(codebook.codes)}
    roots = codebook.roots()
    theory_ids = {t.id for t in codebook.theories}
    for theory in codebook.theories:
        mine = [c for c in roots if c.theory == theory.id]
        if not mine:
            continue
        theory_el = group(codes_el, f"theory/{theory.id}", theory.label or theory.id,
                          theory.description, {"group": "theory", "theory": theory.id,
                                               "label": theory.label, **book}, None)
        for role, mech, label in ROLE_GROUPS:
            inside = [c for c in mine if c.role == role and c.mechanism_type == mech]
            if not inside:
                continue
            meta = {"group": "role", "role": role, "theory": theory.id}
            if mech:
                meta["mechanism_type"] = mech
            role_el = group(theory_el, f"role/{theory.id}/{role}/{mech}",
                            f"{label} ({theory.id})", "", meta, COLOURS.get(mech or role))
            for code in inside:
                add(role_el, code)
    for code in roots:
        if code.theory not in theory_ids:
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
        codebook.description, book)
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
    """A code id from a name, transliterated ("Barrières à l'accès" -> ``barrieres_a_l_acces``,
    "医生" -> ``yisheng``), never emptied."""
    from anyascii import anyascii

    slug = re.sub(r"[^a-z0-9]+", "_", anyascii(text).lower()).strip("_")
    return slug or "code"


PROJECT_NS = "urn:QDA-XML:project:1.0"


def read_qdc(path: Path) -> tuple[Lined | None, list[Problem]]:
    """A ``.qdc`` file as builder input, with problems named by XML line."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as err:
        return None, [Problem(err.lineno or None, f"not well-formed XML: {err.msg}")]
    if etree.QName(root).localname != "CodeBook" or etree.QName(root).namespace != NS:
        return None, [Problem(root.sourceline, f"the root element is {root.tag}, not "
                              f"<CodeBook xmlns=\"{NS}\"> (is this a REFI-QDA codebook?)")]
    return codebook_from_xml(root, root.find(f"{{{NS}}}Sets"), NS, path.stem)


def read_project_codebook(path: Path) -> tuple[Lined | None, list[Problem]]:
    """The codebook inside a REFI-QDA project: a ``.qdpx`` (ZIP) or its ``project.qde``, as
    NVivo, ATLAS.ti, MAXQDA or QualCoder export it."""
    import zipfile

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True,
                             huge_tree=True)
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
                if not names:
                    return None, [Problem(None, "no project.qde inside: is this a REFI-QDA "
                                          "project (.qdpx)?")]
                root = etree.fromstring(archive.read(names[0]), parser)
        else:
            root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as err:
        return None, [Problem(err.lineno or None, f"not well-formed XML: {err.msg}")]
    if etree.QName(root).localname != "Project":
        return None, [Problem(root.sourceline, f"the root element is {root.tag}, not a "
                              "REFI-QDA <Project> (is this a .qdpx / .qde file?)")]
    ns = etree.QName(root).namespace or PROJECT_NS
    book = root.find(f"{{{ns}}}CodeBook")
    if book is None or book.find(f"{{{ns}}}Codes/{{{ns}}}Code") is None:
        return None, [Problem(root.sourceline, "the project has no codes (no <CodeBook>)")]
    return codebook_from_xml(book, root.find(f"{{{ns}}}Sets"), ns,
                             root.get("name") or path.stem)


def codebook_from_xml(book_el, sets_el, ns: str, default_name: str
                      ) -> tuple[Lined, list[Problem]]:
    """Builder input from a ``<CodeBook>`` element (of a ``.qdc`` or a project) and its sets.

    Non-codable codes that realistcoder wrote for a theory or a role pass their theory, role
    and mechanism type down to the codes inside them and are not codes themselves."""
    problems: list[Problem] = []

    def q(name: str) -> str:
        return f"{{{ns}}}{name}"

    raw = Lined({"name": default_name, "version": "1"}, line=book_el.sourceline)
    used_ids: set[str] = set()
    guid_to_node: dict[str, Lined] = {}
    # theories from the sets (in the codebook's order) first, then those only known from
    # theory codes (a file that went through QualCoder, which drops sets)
    theories = LinedList(line=book_el.sourceline)
    from_groups: list[tuple[str, str, str, int]] = []
    theory_ids: set[str] = set()
    orders: dict[int, int] = {}  # id(node) -> the code's place in the codebook that wrote it

    def add_theory(tid: str, label: str, human: str, line: int) -> None:
        if tid in theory_ids:
            return
        theory_ids.add(tid)
        theory = Lined({"id": tid, "label": label or tid}, line=line)
        if human:
            theory["description"] = human
        theories.append(theory)
        theories.lines.append(line)

    def read_group(el, meta: dict, human: str, inherited: dict) -> list[tuple[Lined, int]]:
        """The codes inside one of realistcoder's theory or role codes."""
        passed = dict(inherited)
        if meta.get("group") == "theory" and meta.get("theory"):
            tid = str(meta["theory"])
            from_groups.append((tid, str(meta.get("label") or el.get("name") or tid), human,
                                el.sourceline))
            if meta.get("codebook"):
                raw["name"] = str(meta["codebook"])
                raw["version"] = str(meta.get("version", "1"))
            passed["theory"] = tid
        for key in ("theory", "role", "mechanism_type"):
            if meta.get(key):
                passed[key] = str(meta[key])
        out = []
        for child in el.findall(q("Code")):
            out += read_any(child, passed)
        return out

    def read_any(el, inherited: dict) -> list[tuple[Lined, int]]:
        desc_el = el.find(q("Description"))
        human, meta, error = split_description(desc_el.text if desc_el is not None else "")
        if error:
            problems.append(Problem(desc_el.sourceline, f"the {MARKER} block of code "
                                    f"{el.get('name')!r} is not valid YAML: {error}"))
        if meta and meta.get("group") in ("theory", "role"):
            return read_group(el, meta, human, inherited)
        return [(read_code(el, inherited, human, meta), el.sourceline)]

    def read_code(el, inherited: dict, human: str, meta: dict | None) -> Lined:
        line = el.sourceline
        node = Lined(line=line)
        name = el.get("name") or ""
        parent_role = inherited.get("parent_role") or inherited.get("role")
        if meta is not None:
            meta = dict(meta)
            order = meta.pop("order", None)
            if isinstance(order, int):
                orders[id(node)] = order
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
            for key in ("theory", "role", "mechanism_type"):  # from realistcoder's groups
                if inherited.get(key) and key not in node:
                    node[key] = inherited[key]
            if parent_role is None:  # under a C/M/O parent, the builder inherits its role
                node["role"] = ROLE_NAMES.get(name.strip().lower()) or "other"
                if node["role"] == "mechanism":
                    node["mechanism_type"] = "reasoning"
            colour = el.get("color")
            if colour and RGB_RE.fullmatch(colour):
                node["color"] = colour.upper()
        node.lines.update({k: line for k in node if k not in node.lines})
        if human:
            node["description"] = human
        used_ids.add(str(node.get("id")))
        guid_to_node[str(el.get("guid", "")).strip("{}").lower()] = node
        role = node.get("role") or parent_role
        below = {"parent_role": role if role in ("context", "mechanism", "outcome") else None}
        children = LinedList(line=line)
        for child in el.findall(q("Code")):
            for kid, kid_line in read_any(child, below):
                children.append(kid)
                children.lines.append(kid_line)
        if children:
            node["codes"] = children
            node.lines["codes"] = line
        elif meta is None and below["parent_role"] and "terms" not in node:
            node["terms"] = [name]  # a foreign C/M/O code: its name is the one term we know
            node.lines["terms"] = line
        return node

    codes_el = book_el.find(q("Codes"))
    codes = LinedList(line=codes_el.sourceline if codes_el is not None else book_el.sourceline)
    found = [pair for el in (codes_el.findall(q("Code")) if codes_el is not None else [])
             for pair in read_any(el, {})]
    # realistcoder's codes back in their codebook order; codes added elsewhere after them
    found.sort(key=lambda pair: orders.get(id(pair[0]), len(orders) + 10**9))
    for node, line in found:
        codes.append(node)
        codes.lines.append(line)
    raw["codes"] = codes
    raw.lines["codes"] = codes.line

    for set_el in sets_el.findall(q("Set")) if sets_el is not None else []:
        desc_el = set_el.find(q("Description"))
        human, meta, _ = split_description(desc_el.text if desc_el is not None else "")
        if meta and "codebook" in meta:
            raw["name"] = str(meta["codebook"])
            raw["version"] = str(meta.get("version", "1"))
            if human:
                raw["description"] = human
            continue
        tid = str(meta["theory"]) if meta and "theory" in meta else _slug(set_el.get("name", ""))
        add_theory(tid, set_el.get("name") or tid, human, set_el.sourceline)
        if not meta:  # another tool's code group: its members take it as their theory
            for member in set_el.iterfind(q("MemberCode")):
                target = member.get("guid") or member.get("targetGUID") or ""
                node = guid_to_node.get(target.strip("{}").lower())
                if node is not None and "theory" not in node:
                    node["theory"] = tid
    for theory in from_groups:
        add_theory(*theory)
    raw["theories"] = theories
    raw.guid_ids = {guid: str(node.get("id")) for guid, node in guid_to_node.items() if guid}
    return raw, problems


def project_code_ids(path: Path) -> dict[str, str]:
    """Code GUID (lower case) -> the code id that loading this project's codebook gives each
    code (for codes made elsewhere: its transliterated name)."""
    raw, _ = read_project_codebook(path)
    return getattr(raw, "guid_ids", {}) if raw is not None else {}


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
