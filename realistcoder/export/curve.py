"""The learning curve of ``realistcoder simulate`` as a picture (PNG or SVG, matplotlib).

Precision, recall and F1 of the proposals on the documents not yet reviewed, and the work saved
at 95% recall, against the number of decisions made. SVG keeps its text as text.
"""

from __future__ import annotations

from pathlib import Path

from realistcoder.errors import InputError
from realistcoder.files import atomic_output

FORMATS = (".png", ".svg")


def write_curve(sim, path: Path) -> None:
    """Draw ``sim`` (a :class:`realistcoder.propose.simulate.Simulation`) to ``path``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"a learning curve is drawn as PNG or SVG, not '{suffix or path.name}'",
                         subject=path, fix="name the file .png or .svg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = [p for p in sim.points if p.f1 is not None]
    x = [p.decisions for p in points]
    with plt.rc_context({"svg.fonttype": "none", "font.size": 10}):
        fig, ax = plt.subplots(figsize=(7.5, 4.6), dpi=150)
        for key, label, style in (("f1", "F1", "-"), ("precision", "precision", "--"),
                                  ("recall", "recall", ":")):
            ax.plot(x, [getattr(p, key) for p in points], style, marker="o", markersize=3,
                    label=label)
        cold = [(p.decisions, p.cold_f1) for p in points if p.cold_f1 is not None]
        if cold:
            ax.plot([c[0] for c in cold], [c[1] for c in cold], "-", color="silver",
                    label="F1 without learning")
        wss = [(p.decisions, p.wss95) for p in points if p.wss95 is not None]
        if wss:
            ax.plot([w[0] for w in wss], [w[1] for w in wss], "-.", color="grey",
                    label="work saved at 95% recall")
        ax.set_ylim(0, 1)
        ax.set_xlabel("decisions made by the simulated reviewer")
        ax.set_ylabel("on the documents not yet reviewed")
        ax.set_title(f"Learning curve: {len(sim.documents)} documents, {sim.labelled} labelled "
                     f"sentences, retrained every {sim.batch} decisions", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=5, fontsize=8,
                  frameon=False)
        fig.tight_layout()
        with atomic_output(path) as tmp:
            fig.savefig(tmp, format=suffix[1:])
        plt.close(fig)
