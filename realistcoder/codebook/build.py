"""Turn what a reader parsed (nested dicts and lists with line numbers) into a :class:`Codebook`.

Every reader (YAML, CSV/XLSX, ``.qdc``) produces the same shape, the YAML layout: a mapping with
``name``, ``version``, ``description``, ``theories`` and ``codes``; codes may nest (``codes:``
inside a code) or name their ``parent``. Containers are :class:`Lined` / :class:`LinedList` so
that a problem can name the line (or spreadsheet row) it comes from. The builder checks keys and
types and applies inheritance; :mod:`realistcoder.codebook.validate` checks the meaning.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from realistcoder.codebook.model import LEVELS, MECHANISM_TYPES, ROLES, Code, Codebook, Theory

TOP_KEYS = ("name", "version", "description", "theories", "codes")
THEORY_KEYS = ("id", "label", "description")
CODE_KEYS = (
    "id", "label", "role", "mechanism_type", "theory", "parent", "description", "inclusion",
    "exclusion", "examples", "terms", "patterns", "exclude", "codes", "color", "level",
)
TEXT_FIELDS = ("description", "inclusion", "exclusion")
LIST_FIELDS = ("examples", "terms", "exclude")
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
COLOUR_RE = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class Problem:
    """One problem, at a line (or spreadsheet row) of the file when known."""

    line: int | None
    message: str
    warning: bool = False

    def format(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


class Lined(dict):
    """A mapping that remembers its own line and the line of each key."""

    def __init__(self, *args, line: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        self.lines: dict[str, int] = {}

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)


class LinedList(list):
    """A list that remembers its own line and the line of each item."""

    def __init__(self, *args, line: int | None = None):
        super().__init__(*args)
        self.line = line
        self.lines: list[int | None] = []

    def line_at(self, index: int) -> int | None:
        return self.lines[index] if index < len(self.lines) else self.line


def suggest(word: Any, choices: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean 'x'?)`` for a likely typo, else ``""``."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    names = {dict: "mapping", Lined: "mapping", list: "list", LinedList: "list", str: "text",
             int: "number", float: "number", type(None): "empty"}
    return names.get(type(value), type(value).__name__)


class _Builder:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(line, message))

    def check_keys(self, node: Lined, allowed: tuple[str, ...], what: str) -> None:
        for key in node:
            if key not in allowed:
                self.problem(node.line_of(key), f"unknown key {key!r} in {what}"
                             f"{suggest(key, allowed)}; allowed: {', '.join(allowed)}")

    def text(self, node: Lined, key: str, what: str, *, required: bool = False) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(node.line, f"{what} has no {key!r}")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(node.line_of(key), f"{key!r} of {what} must be text, not "
                         f"{_type_name(value)}")
            return ""
        value = str(value).strip()
        if required and not value:
            self.problem(node.line_of(key), f"{key!r} of {what} is empty")
        return value

    def text_list(self, node: Lined, key: str, what: str, lines: dict[str, int]) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(node.line_of(key), f"{key!r} of {what} must be a list (one item per "
                         f"line starting with '- ', or [a, b]), not {_type_name(value)}")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            line = value.line_at(i) if isinstance(value, LinedList) else node.line_of(key)
            if isinstance(item, bool):
                self.problem(line, f"item {i + 1} of {key!r} in {what} reads as true/false "
                             "(YAML takes yes/no/on/off as booleans): put it in quotes")
            elif isinstance(item, int | float) and not isinstance(item, bool):
                out.append(str(item))
            elif not isinstance(item, str):
                self.problem(line, f"item {i + 1} of {key!r} in {what} must be text, not "
                             f"{_type_name(item)}")
            elif not item.strip():
                self.problem(line, f"item {i + 1} of {key!r} in {what} is empty")
            else:
                out.append(" ".join(item.split()) if key != "examples" else item.strip())
                if line:
                    lines[f"{key}.{len(out) - 1}"] = line
        return out

    def patterns(self, node: Lined, what: str, lines: dict[str, int]) -> list[list[dict]]:
        value = node.get("patterns")
        if value is None:
            return []
        hint = "a list of patterns, each a list of token mappings, e.g. [[{LOWER: gp}]]"
        if not isinstance(value, list):
            self.problem(node.line_of("patterns"), f"'patterns' of {what} must be {hint}")
            return []
        out = []
        for i, pattern in enumerate(value):
            line = value.line_at(i) if isinstance(value, LinedList) else node.line_of("patterns")
            if not isinstance(pattern, list) or not pattern or not all(
                isinstance(tok, dict) for tok in pattern
            ):
                self.problem(line, f"pattern {i + 1} of {what} must be a non-empty list of "
                             f"token mappings ({hint})")
                continue
            out.append([_plain(tok) for tok in pattern])
            if line:
                lines[f"patterns.{len(out) - 1}"] = line
        return out

    def theories(self, raw: Lined) -> list[Theory]:
        value = raw.get("theories")
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(raw.line_of("theories"), "'theories' must be a list of mappings with "
                         "id, label and description")
            return []
        out = []
        for i, node in enumerate(value):
            line = value.line_at(i) if isinstance(value, LinedList) else raw.line_of("theories")
            if not isinstance(node, dict):
                self.problem(line, f"theory {i + 1} must be a mapping with id, label, description")
                continue
            node = node if isinstance(node, Lined) else Lined(node, line=line)
            self.check_keys(node, THEORY_KEYS, f"theory {i + 1}")
            tid = self.text(node, "id", f"theory {i + 1}", required=True)
            if tid and not ID_RE.match(tid):
                self.problem(node.line_of("id"), f"theory id {tid!r} may only use letters, "
                             "digits, '_', '-' and '.'")
            label = self.text(node, "label", f"theory {tid or i + 1}") or tid
            out.append(Theory(tid, label, self.text(node, "description", f"theory {tid}")))
        return out

    def codes(self, value: Any, line: int | None, parent: str | None, out: list[Code]) -> None:
        if not isinstance(value, list):
            self.problem(line, f"'codes' must be a list of code mappings, not {_type_name(value)}")
            return
        for i, node in enumerate(value):
            item_line = value.line_at(i) if isinstance(value, LinedList) else line
            if not isinstance(node, dict):
                self.problem(item_line, f"code {i + 1} must be a mapping (id, label, role, ...), "
                             f"not {_type_name(node)}")
                continue
            node = node if isinstance(node, Lined) else Lined(node, line=item_line)
            code = self.code(node, parent)
            out.append(code)
            if "codes" in node:
                self.codes(node["codes"], node.line_of("codes"), code.id or None, out)

    def code(self, node: Lined, parent: str | None) -> Code:
        cid = self.text(node, "id", "a code", required=True)
        what = f"code {cid!r}" if cid else "a code"
        self.check_keys(node, CODE_KEYS, what)
        if cid and not ID_RE.match(cid):
            self.problem(node.line_of("id"), f"code id {cid!r} may only use letters, digits, "
                         "'_', '-' and '.' (ids are stable keys: keep them short)")
        lines = {key: node.line_of(key) for key in node if node.line_of(key)}
        declared_parent = self.text(node, "parent", what) or None
        if parent and declared_parent and declared_parent != parent:
            self.problem(node.line_of("parent"), f"{what} is nested under {parent!r} but names "
                         f"parent {declared_parent!r}: drop one of them")
        code = Code(
            id=cid,
            label=self.text(node, "label", what, required=True),
            role=self.text(node, "role", what).lower(),
            theory=self.text(node, "theory", what) or None,
            mechanism_type=self.text(node, "mechanism_type", what).lower() or None,
            parent=parent or declared_parent,
            color=self.colour(node, what),
            level=self.text(node, "level", what).lower() or None,
            line=node.line,
            lines=lines,
        )
        for key in TEXT_FIELDS:
            setattr(code, key, self.text(node, key, what))
        for key in LIST_FIELDS:
            setattr(code, key, self.text_list(node, key, what, lines))
        code.patterns = self.patterns(node, what, lines)
        return code

    def colour(self, node: Lined, what: str) -> str | None:
        value = self.text(node, "color", what)
        if value and not COLOUR_RE.fullmatch(value):
            self.problem(node.line_of("color"), f"{what}: color {value!r} is not #RRGGBB")
            return None
        return value.upper() or None

    def inherit(self, codes: list[Code]) -> None:
        """Children take their parent's role, theory (and mechanism type) unless they give one."""
        by_id = {c.id: c for c in codes if c.id}
        done: set[str] = set()

        def resolve(code: Code, trail: tuple[str, ...]) -> None:
            if code.id in done:
                return
            parent = by_id.get(code.parent) if code.parent else None
            if parent is not None and parent.id not in trail:
                resolve(parent, (*trail, code.id))
                if not code.role:
                    code.role = parent.role
                    if code.mechanism_type is None and parent.role == "mechanism":
                        code.mechanism_type = parent.mechanism_type
                if code.theory is None:
                    code.theory = parent.theory
                if code.level is None:
                    code.level = parent.level
            done.add(code.id)

        for code in codes:
            resolve(code, ())

    def roles(self, codes: list[Code]) -> None:
        for code in codes:
            what = f"code {code.id!r}"
            if code.level is not None and code.level not in LEVELS:
                self.problem(code.line_of("level"), f"{what} has unknown level {code.level!r}"
                             f"{suggest(code.level, LEVELS)}: use one of {', '.join(LEVELS)}")
            if not code.role:
                self.problem(code.line, f"{what} has no role: give one of {', '.join(ROLES)}")
            elif code.role not in ROLES:
                self.problem(code.line_of("role"), f"{what} has unknown role {code.role!r}"
                             f"{suggest(code.role, ROLES)}: use one of {', '.join(ROLES)}")
            if code.role == "mechanism":
                if code.mechanism_type is None:
                    self.problem(code.line, f"mechanism {code.id!r} needs mechanism_type: "
                                 "resource (what the programme offers) or reasoning (how people "
                                 "respond)")
                elif code.mechanism_type not in MECHANISM_TYPES:
                    self.problem(code.line_of("mechanism_type"), f"{what} has unknown "
                                 f"mechanism_type {code.mechanism_type!r}"
                                 f"{suggest(code.mechanism_type, MECHANISM_TYPES)}: use resource "
                                 "or reasoning")
            elif code.mechanism_type is not None and code.role in ROLES:
                self.problem(code.line_of("mechanism_type"), f"{what} has role {code.role!r} "
                             "but gives mechanism_type: only mechanisms have one")


def _plain(value: Any) -> Any:
    """Lined containers back to plain dicts and lists (patterns are stored as JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def build_codebook(raw: Any, *, default_name: str = "codebook",
                   source: str | None = None) -> tuple[Codebook, list[Problem]]:
    """Build a codebook from reader output; return it with every structural problem found."""
    b = _Builder()
    if not isinstance(raw, dict):
        b.problem(getattr(raw, "line", 1) or 1, "a codebook must be a mapping with name, "
                  f"version, theories and codes, not {_type_name(raw)}")
        return Codebook(default_name, "1", source=source), b.problems
    raw = raw if isinstance(raw, Lined) else Lined(raw, line=1)
    b.check_keys(raw, TOP_KEYS, "the codebook")
    name = b.text(raw, "name", "the codebook", required=True) or default_name
    version = b.text(raw, "version", "the codebook", required=True) or "1"
    if isinstance(raw.get("version"), float):
        b.problems.append(Problem(raw.line_of("version"), f"version {raw['version']!r} was read "
                                  "as a number (1.10 becomes 1.1): put it in quotes",
                                  warning=True))
    codebook = Codebook(name, version, b.text(raw, "description", "the codebook"),
                        b.theories(raw), [], source=source)
    if "codes" not in raw or raw["codes"] is None:
        b.problem(raw.line, "the codebook has no 'codes'")
    else:
        b.codes(raw["codes"], raw.line_of("codes"), None, codebook.codes)
    b.inherit(codebook.codes)
    b.roles(codebook.codes)
    return codebook, b.problems
