"""The root command and the shared command groups, with error handling and the store option.

Command modules attach their commands to these groups; ``main`` imports them all.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from click_default_group import DefaultGroup

from realistcoder.errors import RealistCoderError
from realistcoder.files import atomic_output
from realistcoder.store import Store, default_db_path, open_store
from realistcoder.store.db import database_error


class AppContext:
    """Per-invocation state: where the store is, whether to show tracebacks."""

    def __init__(self, db_path: Path, debug: bool):
        self.db_path = db_path
        self.debug = debug
        self._store: Store | None = None
        self.created = False  # this command made the store file

    def store(self, *, create: bool = False) -> Store:
        """The review store, opened (and migrated) on first use.

        Only commands that put something new in a store (ingest, codebook load, merge) create
        one: elsewhere a mistyped --db gives an error instead of an empty store.
        """
        if self._store is None:
            existed = self.db_path.exists()
            self._store = open_store(self.db_path, create=create)
            self.created = not existed
        return self._store

    def close(self, failed: bool = False) -> None:
        """Close the store; a store this command created and then failed to fill is removed,
        so that a command refused on its arguments leaves nothing behind."""
        if self._store is None:
            return
        store, self._store = self._store, None
        empty = False
        if failed and self.created:
            try:
                empty = not store.query(
                    "SELECT 1 FROM documents UNION ALL SELECT 1 FROM codebooks "
                    "UNION ALL SELECT 1 FROM decisions LIMIT 1")
            except sqlite3.Error:  # a damaged new file: leave it for --debug
                empty = False
        store.close()
        if empty:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.db_path}{suffix}").unlink(missing_ok=True)


def handle_errors(invoke, ctx: click.Context):
    """Run a command; turn user-fixable errors into one line on stderr and a non-zero exit."""
    try:
        return invoke(ctx)
    except RealistCoderError as err:
        raise UserError(str(err)) from err
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except BrokenPipeError:
        # `realistcoder ... | head` closed the pipe: stop quietly, as other Unix tools do
        _silence_stdout()
        raise click.exceptions.Exit(141) from None
    except KeyboardInterrupt:
        raise UserError("interrupted: every finished step was saved; run the command again "
                        "to continue", exit_code=130) from None
    except OSError as err:
        app = ctx.find_object(AppContext)
        if app is not None and app.debug:
            raise
        raise UserError(os_error_message(err)) from err
    except Exception as err:
        app = ctx.find_object(AppContext)
        if app is not None and app.debug:
            raise
        # a read of a damaged (or vanished) store, outside a transaction: one line, not a bug
        known = database_error(app.db_path, err) if app is not None and isinstance(
            err, sqlite3.DatabaseError) else None
        if known is not None:
            raise UserError(str(known)) from err
        raise UserError(
            f"unexpected error: {type(err).__name__}: {err} "
            "(run again with --debug for the traceback, and please report it)",
            exit_code=2,
        ) from err


_OS_FIXES = {
    errno.ENOENT: "check the path; create the folder first if it is missing",
    errno.ENOTDIR: "check the path: a part of it is a file, not a folder",
    errno.EACCES: "check that you may read / write there, or choose another path",
    errno.EPERM: "check that you may read / write there, or choose another path",
    errno.EROFS: "the disk is read-only: choose another path",
    errno.EISDIR: "pass a file name, not a folder",
    errno.ENAMETOOLONG: "use a shorter file or folder name",
    errno.ENOSPC: "the disk is full: free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up: free some space and run the command again",
}


def os_error_message(err: OSError) -> str:
    """One line for a file-system error: the path, what went wrong, what to do."""
    what = (err.strerror or str(err)).rstrip(".").lower()
    fix = _OS_FIXES.get(err.errno, "check the path and the disk, then run the command again")
    return f"{err.filename}: {what} ({fix})" if err.filename is not None else f"{what} ({fix})"


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (tests)
        pass


class UserError(click.ClickException):
    """One line, ``error: ...``, on stderr."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class RootGroup(click.Group):
    """The root command: one-line errors, and command modules imported on demand.

    ``lazy_modules`` maps a command name to the CLI modules that define it (set by ``main``);
    a module is imported the first time one of its commands is looked up."""

    lazy_modules: dict[str, tuple[str, ...]] = {}
    summaries: dict[str, str] = {}

    def format_commands(self, ctx: click.Context, formatter) -> None:
        """The command list of --help, from the summaries for commands not loaded yet."""
        from click.utils import make_default_short_help

        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            command = self.commands.get(name)
            if command is not None:
                rows.append((name, command.get_short_help_str(limit)))
            elif name in self.summaries:
                rows.append((name, make_default_short_help(self.summaries[name], limit)))
            else:
                command = self.get_command(ctx, name)
                rows.append((name, command.get_short_help_str(limit) if command else ""))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def list_commands(self, ctx):
        return sorted(set(self.commands) | set(self.lazy_modules))

    def get_command(self, ctx, name):
        import importlib

        for module in self.lazy_modules.get(name, ()):
            importlib.import_module(f"realistcoder.cli.{module}")
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        failed = True
        try:
            result = handle_errors(super().invoke, ctx)
            failed = False
            return result
        except click.exceptions.Exit as exit_:
            failed = exit_.exit_code != 0
            raise
        finally:
            app = ctx.find_object(AppContext)
            if app is not None:
                app.close(failed=failed)


_PRECIOUS = ((b"SQLite format 3\x00", "an SQLite database"), (b"%PDF-", "a PDF"))


def check_output(path: Path, db_path: Path) -> None:
    """Refuse an output path that is the review store (or its -wal / -shm), or an existing
    PDF or SQLite database: `-o review.db` by mistake would wipe the whole review."""
    target = Path(path)
    store_files = [db_path, db_path.with_name(db_path.name + "-wal"),
                   db_path.with_name(db_path.name + "-shm")]
    try:
        same = any(target.resolve() == f.resolve() for f in store_files)
        head = target.open("rb").read(16) if target.is_file() else b""
    except OSError:
        return  # unreadable or odd paths: the command's own write reports them
    what = "the review store" if same else next(
        (name for magic, name in _PRECIOUS if head.startswith(magic)), None)
    if what:
        raise UserError(f"{path}: this is {what}; writing there would destroy it "
                        "(pass another -o file)")


class GuardedCommand(click.Command):
    """A command whose -o/--output may never be the store, a PDF or another database."""

    def invoke(self, ctx: click.Context):
        app = ctx.find_object(AppContext)
        if app is not None:
            for param in self.params:
                if isinstance(param, click.Option) and {"-o", "--output"} & set(param.opts):
                    value = ctx.params.get(param.name)
                    if value and str(value) != "-":
                        check_output(Path(value), app.db_path)
        return super().invoke(ctx)


class SubGroup(click.Group):
    """A command group that shows its subcommands in the order they were added."""

    command_class = GuardedCommand

    def list_commands(self, ctx):
        return list(self.commands)


RootGroup.command_class = GuardedCommand
RootGroup.group_class = SubGroup


def _show_version(ctx: click.Context) -> None:
    """``--version``: the installed version, read only when asked (it costs ~20 ms)."""
    import realistcoder

    click.echo(f"realistcoder, version {realistcoder.__version__}")
    ctx.exit()


def quiet_third_parties(debug: bool) -> None:
    """pdfminer, pdfplumber and friends talk a lot; keep them off the terminal unless --debug."""
    level = logging.DEBUG if debug else logging.CRITICAL
    for name in ("pdfminer", "pdfplumber", "pypdfium2", "PIL", "spacy", "fontTools",
                 "bibtexparser"):
        logging.getLogger(name).setLevel(level)
    if not debug:
        warnings.filterwarnings("ignore")


@click.group(
    cls=RootGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example: realistcoder ingest corpus/ && realistcoder propose && realistcoder status",
)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _, value: _show_version(ctx) if value else None,
              help="Show the version and exit.")
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Review store file [default: $REALISTCODER_DB or ./review.db].",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and third-party warnings.")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, debug: bool) -> None:
    """NLP-assisted Context / Mechanism / Outcome coding for realist reviews.

    Ingest PDFs into a review store, propose CMO codes from a codebook, review them,
    audit agreement between reviewers and export evidence tables.
    """
    quiet_third_parties(debug)
    ctx.obj = AppContext(db_path or default_db_path(), debug)


@cli.group("export", cls=SubGroup)
def export_group() -> None:
    """Write sentences, proposals, codings and report tables to files.

    Example: realistcoder export sentences --format jsonl -o sentences.jsonl
    """


@cli.group("import", cls=SubGroup)
def import_group() -> None:
    """Bring codings, decisions or projects made elsewhere into the store.

    Example: realistcoder import codings hand.csv --reviewer alice
    """


@cli.group("documents", cls=DefaultGroup, default="list", default_if_no_args=True)
def documents_group() -> None:
    """List ingested documents (the default), or fix their citation details.

    Example: realistcoder documents
    """


documents_group.command_class = GuardedCommand


pass_app = click.make_pass_decorator(AppContext)


@contextmanager
def output_stream(path: Path | None, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """A text stream for ``-o PATH``, written all or nothing; standard output for None or '-'."""
    if path is None or str(path) == "-":
        yield click.get_text_stream("stdout")
        return
    with atomic_output(path) as tmp, tmp.open("w", encoding=encoding, newline="") as handle:
        yield handle


REVIEWER_ENV = "REALISTCODER_REVIEWER"
REVIEWER_HELP = "[default: $REALISTCODER_REVIEWER]"


def who(reviewer: str | None) -> str:
    """The reviewer acting: --reviewer, else $REALISTCODER_REVIEWER; one clear error if neither."""
    from realistcoder.errors import InputError
    from realistcoder.store.review_lookup import check_reviewer

    name = reviewer if reviewer else os.environ.get(REVIEWER_ENV, "")
    if not name.strip():
        raise InputError("no reviewer given", subject="--reviewer",
                         fix="pass --reviewer NAME, or set REALISTCODER_REVIEWER=NAME once "
                         "(your initials or name, the same in every session)")
    return check_reviewer(name)


def viewer(reviewer: str | None, unblind: bool = False) -> str | None:
    """Whose blinded view a listing shows: --reviewer, else $REALISTCODER_REVIEWER; with
    --unblind only an explicit --reviewer (the variable must not narrow the team's view)."""
    if reviewer:
        return who(reviewer)
    if unblind or not os.environ.get(REVIEWER_ENV, "").strip():
        return None
    return who(None)


def complete_codebook(ctx, param, incomplete: str) -> list:
    """Shell completion for a codebook argument: the shipped ids, then files."""
    from click.shell_completion import CompletionItem

    from realistcoder.codebook.io import shipped_ids

    items = [CompletionItem(i) for i in shipped_ids() if i.startswith(incomplete)]
    return [*items, CompletionItem(incomplete, type="file")]


def echo(text: str = "", **kwargs) -> None:
    click.echo(text, **kwargs)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def echo_problems(problems: list[str], limit: int = 50) -> None:
    """The rows behind a refusal, indented on stderr (the error line follows them)."""
    for line in problems[:limit]:
        click.echo(f"  {line}", err=True)
    if len(problems) > limit:
        click.echo(f"  ... and {len(problems) - limit} more", err=True)
