"""The terminal front end of ``realistcoder review``: render a card, read a key, call the session.

Single keys when stdin is a terminal; one command per line (the first character is the key)
when it is not, so the loop can be scripted or piped. Plain text within 80 columns; the matched
words are bold on a colour terminal and [bracketed] otherwise.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import sys

import click

from realistcoder.errors import RealistCoderError
from realistcoder.review.session import Card, ReviewSession

KEYS = [
    ("a", "accept the proposed code (a role proposal: code the role alone)"),
    ("r", "reject the proposal"),
    ("c", "choose the code: type its id, or words of its label and pick a number"),
    ("x", "no role here: reject the proposals on it and mark it (the model learns)"),
    ("p", "extend the fragment to the previous sentence"),
    ("n", "extend the fragment to the next sentence"),
    ("o", "add a note to the next decision"),
    ("s", "skip (leave pending; it comes back next session)"),
    ("m", "more: show all of a card clipped to fit the screen (m again clips it)"),
    ("u", "undo your last decision"),
    ("q", "quit (every decision is already saved)"),
    ("?", "this help"),
]
KEY_LINE = "[a]ccept [r]eject [c]ode [x]none [p]rev [n]ext n[o]te [s]kip [u]ndo [q]uit [?]"
CONTEXT_LINES = 2  # of the sentence before and after, when clipped


def width() -> int:
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 100) - 1)


def height() -> int:
    return max(12, shutil.get_terminal_size((80, 24)).lines)


def clip(lines: list[str], keep: int, prefix: str, what: str) -> list[str]:
    """``lines`` cut to ``keep``, with a last line saying how many more and how to see them."""
    if len(lines) <= keep:
        return lines
    return [*lines[:keep], f"{prefix}… {len(lines) - keep} more lines of {what}: "
                           "press m to show them"]


def wrap_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """Greedy word wrap returning (start, end) offsets of each line in ``text``; a word longer
    than a line (a dot leader, a URL) is cut, so that no line is wider than ``limit``."""
    limit = max(limit, 1)
    lines: list[tuple[int, int]] = []
    start = end = None
    for m in re.finditer(r"\S+", text):
        w0, w1 = m.start(), m.end()
        if start is not None and w1 - start <= limit:
            end = w1
            continue
        if start is not None:
            lines.append((start, end))
        while w1 - w0 > limit:  # a word wider than a line: whole lines of it
            lines.append((w0, w0 + limit))
            w0 += limit
        start, end = w0, w1
    if start is not None:
        lines.append((start, end))
    return lines or [(0, 0)]


def styled(text: str, spans: list[tuple[int, int]], color: bool) -> str:
    """``text`` with ``spans`` bold (colour) or [bracketed] (plain)."""
    out, pos = [], 0
    for start, end in spans:
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(text[pos:start])
        word = text[start:end]
        out.append(click.style(word, bold=True, underline=True) if color else f"[{word}]")
        pos = end
    out.append(text[pos:])
    return "".join(out)


def block(text: str, prefix: str, limit: int, spans=(), color=False, dim=False) -> list[str]:
    body = limit - len(prefix)
    if spans and not color:  # brackets take room: wrap the marked-up text
        text, spans = styled(text, list(spans), False), []
    lines = []
    for i, (start, end) in enumerate(wrap_spans(text, body)):
        local = [(s - start, e - start) for s, e in spans if e > start and s < end]
        line = styled(text[start:end], local, color)
        if dim and color:
            line = click.style(line, dim=True)
        lines.append((prefix if i == 0 else " " * len(prefix)) + line)
    return lines


def header(card: Card, limit: int) -> str:
    """The card's first line: document, page, proposal; this queue's progress and the
    reviewer's overall progress (earlier sessions included)."""
    p = card.proposal
    tail = (f" {card.position}/{card.total} | {card.done} done | overall "
            f"{card.overall_done}/{card.overall_total} --")
    rest = f" | page {p['page']} | proposal {p['id']} "
    room = limit - len(tail) - len(rest) - 4
    name = p["document"] if len(p["document"]) <= room else p["document"][: max(room - 1, 8)] + "~"
    head = f"-- {name}{rest}"
    return head + "-" * max(1, limit - len(head) - len(tail)) + tail


def render(card: Card, color: bool, expanded: bool = False) -> str:
    """The card as text within the terminal's width. A card taller than the screen (less the
    prompt line) is clipped, unless ``expanded``: the sentences either side and the code's
    description to two lines each, then the fragment to the rows left, so that the header
    stays in view."""
    head, before, fragment, after, tail = _card_parts(card, color, None)
    rows = height() - 1  # the prompt
    if expanded or 1 + len(before) + len(fragment) + len(after) + len(tail) <= rows:
        return "\n".join([head, *before, *fragment, *after, *tail])
    head, before, fragment, after, tail = _card_parts(card, color, CONTEXT_LINES)
    keep = max(3, rows - 1 - len(before) - len(after) - len(tail) - 1)  # - the "more" line
    fragment = clip(fragment, keep, "  > ", "the fragment")
    return "\n".join([head, *before, *fragment, *after, *tail])


def _card_parts(card: Card, color: bool, context: int | None):
    """(header, before, fragment, after, code and keys) lines; ``context`` clips the sentences
    either side and the description to that many lines."""
    limit = width()
    p = card.proposal
    context = 10**9 if context is None else context
    fragment: list[str] = []
    for s in card.fragment:
        spans = card.highlights if s["id"] == p["sentence_id"] else []
        fragment += block(s["text"], "  > ", limit, spans, color)
    before = after = []
    if card.before:
        before = clip(block(card.before["text"], "    ", limit, color=color, dim=True),
                      context, "    ", "the sentence before")
    if card.after:
        after = clip(block(card.after["text"], "    ", limit, color=color, dim=True),
                     context, "    ", "the sentence after")
    c = card.code
    role = c["role"] + (f" ({c['mechanism_type']})" if c.get("mechanism_type") else "")
    tail = [""]
    if c["code"]:
        tail += block(f"{c['code']}: {c['label']}", "code  ", limit)
    else:  # a role proposal: a accepts the role alone, c gives it a code
        tail += block(f"{role} evidence (no code yet: a keeps the role, c picks a code)",
                      "role  ", limit)
    tail += block(f"{role} | theory {c['theory'] or '-'} | score {p['score']:.2f}"
                  f" | {p['method']}", "      ", limit)
    why = explanation(p)
    if why:
        tail += clip(block(f"why: {why}", "      ", limit), context, "      ", "the reasons")
    if c.get("description"):
        tail += clip(block(c["description"], "      ", limit), context, "      ",
                     "the description")
    if card.status != "pending":
        tail.append(f"      your current decision: {card.status}")
    if len(card.fragment) > 1:
        tail.append(f"      fragment: {len(card.fragment)} sentences")
    if card.note:
        tail += block(card.note, "note  ", limit)
    tail.append(KEY_LINE)
    return header(card, limit), before, fragment, after, tail


def explanation(p: dict) -> str:
    """The rules and cue words behind a role or learned proposal (``matched`` items with a
    ``rule``), e.g. "reasoning verb (felt), causal link (because)"."""
    items = p["matched"]
    if isinstance(items, str):
        import json

        try:
            items = json.loads(items)
        except ValueError:
            return ""
    seen: dict[str, list[str]] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("rule"):
            words = seen.setdefault(item["rule"], [])
            if item.get("text") and item["text"] not in words:
                words.append(item["text"])
    return ", ".join(f"{rule} ({', '.join(w[:3])})" if w else rule for rule, w in seen.items())


def read_key() -> str:
    """One key press from the terminal, without Enter.

    cbreak mode is entered without flushing (``TCSANOW``), so keys typed ahead while the previous
    decision was being saved are not lost, and Ctrl-C still raises KeyboardInterrupt."""
    try:
        import termios
        import tty
    except ImportError:  # Windows: click reads the console directly
        return click.getchar()
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        data = os.read(fd, 1)  # one key at a time: keys typed ahead wait their turn
        if data == b"\x1b":  # Esc or an arrow key's sequence: swallow it, ignore
            while select.select([fd], [], [], 0.05)[0]:
                os.read(fd, 32)
            return ""
        if data and data[0] >= 0xC0:  # the rest of a UTF-8 character
            data += os.read(fd, 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3)
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    if not data or data == b"\x04":  # end of input (Ctrl-D)
        raise EOFError
    return data.decode("utf-8", errors="replace")[:1]


class Terminal:
    """Key and line input: raw single keys on a terminal, lines otherwise (EOF means quit)."""

    def __init__(self) -> None:
        self.tty = sys.stdin.isatty()
        self.color = self.tty and sys.stdout.isatty()

    def key(self) -> str:
        if self.tty:
            click.echo("> ", nl=False)
            ch = read_key()
            click.echo(ch if ch.isprintable() else "")
            return ch.lower()
        line = self.line("> ")
        return line.strip()[:1].lower() if line is not None else "q"

    def line(self, prompt: str) -> str | None:
        click.echo(prompt, nl=False)
        text = sys.stdin.readline()
        if not text:
            click.echo()
            return None
        if not self.tty:
            click.echo(text.rstrip("\n"))  # echo scripted input so the transcript reads well
        return text.rstrip("\n")


ROLE_TAGS = {"context": "C", "mechanism": "M", "outcome": "O", "other": "-"}


def code_choice_lines(number: int, hit: dict, code_width: int | None, limit: int) -> list[str]:
    """One numbered search hit within ``limit`` columns: number, id, role (C, M res, M rea, O),
    label, and the theory when there is room; a cut label ends in ``~``. With ``code_width``
    it takes one line (ids padded to it), else two: the id, then the label below it."""
    role = ROLE_TAGS.get(hit["role"], "-")
    if hit["role"] == "mechanism" and hit.get("mechanism_type"):
        role += " " + hit["mechanism_type"][:3]
    label, theory = hit["label"] or "", f" ({hit['theory']})" if hit.get("theory") else ""
    if code_width is not None:
        head, lines = f"{number:>3}. {hit['code']:<{code_width}}  {role:<5}  ", []
    else:
        lines = [f"{number:>3}. {hit['code']}  {role}"[:limit]]
        head = " " * 7
    room = limit - len(head)
    if len(label) + len(theory) <= room:
        text = label + theory
    elif len(label) > room:
        text = label[: max(room - 1, 0)] + "~"
    else:
        text = label
    return [*lines, (head + text).rstrip()]


def choose_code(session: ReviewSession, term: Terminal) -> str | None:
    """Ask for a code. Type an exact code id to take it at once, or part of an id or label
    (any case, several words, typos forgiven) to see the best matches numbered; then type a
    number to take one, other words to search again, or Enter to cancel."""
    prompt = "code id, or words of its label (Enter cancels): "
    query = term.line(prompt)
    while True:
        if query is None or not query.strip():
            click.echo("  code unchanged")
            return None
        query = query.strip()
        hits = session.search_codes(query, limit=9)
        if hits and hits[0]["code"].lower() == query.lower():
            return hits[0]["code"]
        if not hits:
            query = term.line("  no code matches; other words (Enter cancels): ")
            continue
        limit = width()
        longest = max(len(h["code"]) for h in hits)
        code_width = longest if longest <= limit - 45 else None  # else: two lines a code
        for i, h in enumerate(hits, 1):
            click.echo("\n".join(code_choice_lines(i, h, code_width, limit)))
        numbers = "1" if len(hits) == 1 else f"1-{len(hits)}"
        pick = term.line(f"number {numbers}, other words to search again, Enter cancels: ")
        if pick is not None and pick.strip().isdigit():
            if 1 <= int(pick) <= len(hits):
                return hits[int(pick) - 1]["code"]
            click.echo(f"  no number {pick.strip()} in the list")
            pick = query
        query = pick


def run(session: ReviewSession) -> dict:
    """Drive a session until the queue ends or the reviewer quits; return a summary."""
    term = Terminal()
    done0, total = session.progress()
    overall_done, overall_total = session.overall()
    click.echo(f"reviewing as {session.reviewer}: {total} proposals in this queue, "
               f"{done0} already decided.\nOverall you have decided {overall_done} of "
               f"{overall_total} proposals. Press ? for help.")
    expanded, shown = False, None
    try:
        while not session.finished:
            card = session.current()
            if card.proposal["id"] != shown:  # a new card starts clipped
                expanded, shown = False, card.proposal["id"]
            click.echo()
            click.echo(render(card, term.color, expanded))
            key = term.key()
            if key == "m":
                expanded = not expanded
                continue
            try:
                if not _handle(key, session, term):
                    break
            except RealistCoderError as err:
                click.echo(f"  {err}")
            _report_retraining(session)
    except (KeyboardInterrupt, EOFError):
        click.echo("\ninterrupted: every decision so far is saved.")
    finally:
        if session.learner is not None:
            session.learner.close()
    done, total = session.progress()
    if session.finished:
        click.echo(f"end of queue: {done} of {total} decided.")
    kept = session.kept()
    undone = len(session.undone)
    click.echo(f"{len(kept)} decisions this session" + (f" ({undone} undone)" if undone else "")
               + f"; {total - done} proposals left.\nRun the same command to continue.")
    return {"decided": done, "total": total, "made": len(kept)}


def _report_retraining(session: ReviewSession) -> None:
    done = session.retrained()
    if done is not None and done.model_id is not None:
        click.echo(f"  your model was retrained (#{done.model_id}): {done.added} new "
                   f"proposals, {done.withdrawn} withdrawn from your queue")


def _handle(key: str, session: ReviewSession, term: Terminal) -> bool:
    """Do what ``key`` asks; False to quit."""
    if key == "a":
        d = session.accept()
        click.echo(f"  accepted {d['code'] or d['role'] + ' (role only)'} "
                   f"(coding {d['coding_id']})")
    elif key == "x":
        made = session.no_role()
        click.echo(f"  no role: {sum(d['action'] == 'reject' for d in made)} proposals rejected,"
                   " sentence marked")
    elif key == "r":
        session.reject()
        click.echo("  rejected")
    elif key == "c":
        code = choose_code(session, term)
        if code is not None:
            d = session.recode(code)
            click.echo(f"  coded as {d['code']} (coding {d['coding_id']})")
    elif key in ("p", "n"):
        if not session.extend(-1 if key == "p" else 1):
            click.echo("  no further sentence in this document")
    elif key == "o":
        text = term.line("note: ")
        if text is not None:
            session.set_note(text)
    elif key == "s":
        session.skip()
    elif key == "u":
        result = session.undo()
        if result is None:
            click.echo("  nothing to undo")
        else:
            u = result["undone"]
            what = f"proposal {u['proposal_id']}" if u["proposal_id"] else f"coding {u['code']}"
            click.echo(f"  undid {u['action']} of {what}")
    elif key == "q":
        return False
    elif key in ("?", "h"):
        for k, text in KEYS:
            click.echo(f"  {k}  {text}")
    elif key:
        click.echo(f"  unknown key {key!r}; press ? for help")
    return True
