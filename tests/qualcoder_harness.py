"""Run QualCoder's own REFI-QDA import and export without its window, and dump what it read.

    QT_QPA_PLATFORM=offscreen python qualcoder_harness.py QUALCODER_SRC WORKDIR COMMAND ...

COMMAND is one of
    import-qdpx FILE [--export OUT.qdpx [--maxqda]]
    import-qdc FILE [--export OUT.qdc]
Prints a JSON summary of the QualCoder project after the import: categories, codes, sources,
text codings and file attributes.

QualCoder (https://github.com/ccbogel/QualCoder, LGPL-3.0) is not part of realistcoder: point
QUALCODER_SRC at a checkout's ``src`` folder. Its project schema is read from its own source
(the CREATE TABLE statements of ``qualcoder/__main__.py``), and its dialogs are answered here:
file pickers return the given paths, message boxes close, and the line-endings question of
the project export answers "MAXQDA" when ``--maxqda`` is given. Needs PyQt6 (and pymupdf and
Pillow, which QualCoder imports).
"""

from __future__ import annotations

import ast
import json
import os
import sqlite3
import sys
from pathlib import Path


def schema(src: Path) -> list[str]:
    """QualCoder's CREATE TABLE statements, read from the source of its "new project"."""
    tree = ast.parse((src / "qualcoder" / "__main__.py").read_text(encoding="utf-8"))

    def creates(node) -> list[str]:
        return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
                and isinstance(n.value, str) and n.value.startswith("CREATE TABLE")]

    for func in ast.walk(tree):  # the function that makes a new project's tables
        if isinstance(func, ast.FunctionDef) and any(
                s.startswith("CREATE TABLE project ") for s in creates(func)):
            return creates(func)
    raise SystemExit("cannot find QualCoder's project schema in qualcoder/__main__.py")


class Log:
    def __init__(self):
        self.lines: list[str] = []

    def append(self, text) -> None:
        self.lines.append(str(text))


class App:
    """The parts of QualCoder's App that its REFI code uses."""

    version = "QualCoder (headless harness)"

    def __init__(self, folder: Path, statements: list[str]):
        self.project_path = str(folder / "harness.qda")
        self.project_name = "harness.qda"
        for sub in ("", "documents", "images", "audio", "video"):
            (folder / "harness.qda" / sub).mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(folder / "harness.qda" / "data.qda")
        for statement in statements:
            self.conn.execute(statement)
        columns = len(self.conn.execute("select * from project").description)
        self.conn.execute(f"insert into project values ({','.join('?' * columns)})",
                          ["v17", "2024-01-01 00:00:00", "", "", 0, 0, "harness", ""]
                          + [None] * (columns - 8))
        self.conn.commit()
        self.settings = {"directory": str(folder), "codername": "harness", "ai_enable": "False",
                         "fontsize": 10, "font": "Noto Sans"}
        self.ai_models = []
        self.project_events = None

    def write_config_ini(self, *args) -> None:
        pass

    def get_annotations(self) -> list[dict]:
        keys = ("anid", "fid", "pos0", "pos1", "memo", "owner", "date")
        rows = self.conn.execute(f"select {', '.join(keys)} from annotation").fetchall()
        return [dict(zip(keys, row, strict=True)) for row in rows]


def dump(app: App, log: Log) -> dict:
    db = app.conn
    cats = {r[0]: r for r in db.execute("select catid, name, supercatid, memo from code_cat")}
    codes = {r[0]: r for r in db.execute(
        "select cid, name, catid, supercid, memo, color from code_name")}
    sources = {r[0]: r for r in db.execute("select id, name, fulltext, mediapath from source")}
    return {
        "categories": [{"name": n, "parent": cats[p][1] if p in cats else None, "memo": m}
                       for _, n, p, m in cats.values()],
        "codes": [{"name": n, "category": cats[c][1] if c in cats else None,
                   "parent_code": codes[s][1] if s in codes else None, "memo": m, "color": col}
                  for _, n, c, s, m, col in codes.values()],
        "sources": [{"name": n, "chars": len(t or ""), "mediapath": mp}
                    for _, n, t, mp in sources.values()],
        "codings": [{"code": codes[cid][1] if cid in codes else None,
                     "source": sources[fid][1], "pos0": p0, "pos1": p1, "seltext": sel,
                     "fulltext_slice": (sources[fid][2] or "")[p0:p1], "memo": memo,
                     "owner": owner}
                    for cid, fid, p0, p1, sel, memo, owner in db.execute(
                        "select cid, fid, pos0, pos1, seltext, memo, owner from code_text")],
        "attributes": [{"source": sources[i][1] if i in sources else None, "name": n,
                        "value": v}
                       for n, v, i in db.execute(
                           "select name, value, id from attribute where attr_type='file'")],
        "log": log.lines,
    }


def main(argv: list[str]) -> None:
    src, work, command, target = Path(argv[0]), Path(argv[1]), argv[2], Path(argv[3])
    rest = argv[4:]
    export = Path(rest[rest.index("--export") + 1]) if "--export" in rest else None
    maxqda = "--maxqda" in rest
    os.environ["HOME"] = str(work)  # QualCoder's export stages files under ~/.qualcoder
    (work / ".qualcoder").mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(src))
    from PyQt6 import QtWidgets

    qt = QtWidgets.QApplication.instance() or QtWidgets.QApplication(["harness"])
    import qualcoder.refi as refi

    class Quiet:
        def __init__(self, *args, **kwargs):
            pass

        def exec(self):
            return 0

    class Endings(Quiet):
        class ui:  # noqa: N801  (QualCoder reads ui.ui.radioButton_maxqda.isChecked())
            class radioButton_maxqda:  # noqa: N801
                @staticmethod
                def isChecked():  # noqa: N802
                    return maxqda

    refi.Message = Quiet
    refi.RefiLineEndings = Endings
    dialogs = QtWidgets.QFileDialog
    dialogs.getOpenFileName = staticmethod(lambda *a, **k: (str(target), True))
    out_dir = export.parent if export else work
    dialogs.getExistingDirectory = staticmethod(lambda *a, **k: str(out_dir))
    app = App(work, schema(src))
    log = Log()
    refi.RefiImport(app, log, "qdc" if command == "import-qdc" else "qdpx")
    if export is not None:
        refi.RefiExport(app, log, "codebook" if command == "import-qdc" else "project")
        made = out_dir / ("Codebook-harness.qdc" if command == "import-qdc" else "harness.qdpx")
        made.replace(export)
    print(json.dumps(dump(app, log), ensure_ascii=False))
    qt.quit()


if __name__ == "__main__":
    main(sys.argv[1:])
