"""The YAML codebook format (see docs/codebook-format.md): read with line numbers, write nested.

Reading composes the YAML node tree and keeps each node's start mark, so every problem names
its line. Duplicate keys, which PyYAML would silently overwrite, are reported too.
"""

from __future__ import annotations

from typing import Any

import yaml

from realistcoder.codebook.build import Lined, LinedList, Problem
from realistcoder.codebook.model import Code, Codebook

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parser when available


class _LinedLoader(_BaseLoader):
    """A safe loader whose mappings and sequences remember the lines they came from."""

    def __init__(self, stream):
        super().__init__(stream)
        self.problems: list[Problem] = []


def _construct_mapping(loader: _LinedLoader, node: yaml.MappingNode):
    data = Lined(line=node.start_mark.line + 1)
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = str(key)
        if key in data:
            loader.problems.append(Problem(line, f"key {key!r} is given twice in this mapping "
                                           f"(first at line {data.lines[key]})"))
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = line


def _construct_sequence(loader: _LinedLoader, node: yaml.SequenceNode):
    data = LinedList(line=node.start_mark.line + 1)
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.lines.append(item.start_mark.line + 1)


_LinedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LinedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def parse_yaml(text: str) -> tuple[Any, list[Problem]]:
    """The document as :class:`Lined` containers, plus syntax and duplicate-key problems."""
    loader = _LinedLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(f"{err.context or ''} {err.problem or ''}".split())
        if "mapping values are not allowed" in message:
            message += " (text containing ': ' must be put in quotes)"
        elif line and "\t" in (text.splitlines()[line - 1:line] or [""])[0]:
            message += " (indent with spaces, not tabs)"
        return None, [Problem(line, f"YAML syntax error: {message}")]
    except yaml.YAMLError as err:
        return None, [Problem(None, f"YAML error: {' '.join(str(err).split())}")]
    finally:
        loader.dispose()
    if data is None:
        return None, [Problem(1, "the file is empty")]
    return data, loader.problems


# ---------------------------------------------------------------------------------------------
# writing


class _FlowList(list):
    """A short list of words, written on one line: ``terms: [a, b, c]``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):  # indent list items under keys
        return super().increase_indent(flow, False)

    # inside [a, b, c] lists, wrap between items, never inside a term
    def write_plain(self, text, split=True):
        return super().write_plain(text, split and not self.flow_level)

    def write_single_quoted(self, text, split=True):
        return super().write_single_quoted(text, split and not self.flow_level)

    def write_double_quoted(self, text, split=True):
        return super().write_double_quoted(text, split and not self.flow_level)


_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)


def _code_node(codebook: Codebook, code: Code, parent: Code | None) -> dict:
    node: dict[str, Any] = {"id": code.id, "label": code.label}
    if parent is None or code.role != parent.role:
        node["role"] = code.role
    inherited_type = parent is not None and code.role == parent.role == "mechanism" and (
        code.mechanism_type == parent.mechanism_type and "role" not in node)
    if code.mechanism_type and not inherited_type:
        node["mechanism_type"] = code.mechanism_type
    if code.theory and (parent is None or code.theory != parent.theory):
        node["theory"] = code.theory
    if parent is None and code.parent:  # parent not in this codebook
        node["parent"] = code.parent
    if code.level and (parent is None or code.level != parent.level):
        node["level"] = code.level
    for key in ("description", "inclusion", "exclusion"):
        if getattr(code, key):
            node[key] = getattr(code, key)
    if code.examples:
        node["examples"] = list(code.examples)
    if code.terms:
        node["terms"] = _FlowList(code.terms)
    if code.exclude:
        node["exclude"] = _FlowList(code.exclude)
    if code.patterns:
        node["patterns"] = [[_FlowDict(tok) for tok in p] for p in code.patterns]
    if code.color:
        node["color"] = code.color
    children = codebook.children(code.id)
    if children:
        node["codes"] = [_code_node(codebook, child, code) for child in children]
    return node


class _FlowDict(dict):
    """A token mapping of a spaCy pattern, written inline: ``{LOWER: gp}``."""


_Dumper.add_representer(
    _FlowDict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)


def dump_yaml(codebook: Codebook) -> str:
    """The codebook as nested YAML that :func:`parse_yaml` reads back to the same codes."""
    data: dict[str, Any] = {"name": codebook.name, "version": codebook.version}
    if codebook.description:
        data["description"] = codebook.description
    if codebook.theories:
        data["theories"] = [
            {k: v for k, v in (("id", t.id), ("label", t.label), ("description", t.description))
             if v}
            for t in codebook.theories
        ]
    data["codes"] = [_code_node(codebook, code, None) for code in codebook.roots()]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=96,
                     default_flow_style=False)
