"""Learning curves like the book's figures: metrics per epoch, several runs overlaid (matplotlib, optional).

    $ specnet plot runs/ch3_overfitting-* --metric training_cost --from-epoch 200 --out cost.png
"""
from __future__ import annotations

from pathlib import Path

from specnet.errors import SpecError
from specnet.components.metrics import METRICS
from specnet.registry import suggest
from specnet.runs.listing import labels

FORMATS = (".png", ".svg", ".pdf")
PLOTTABLE = METRICS + ("eta",)  # eta: the learning rate of each epoch, as a schedule set it

LABELS = {"evaluation_accuracy": "evaluation accuracy (%)", "training_accuracy": "training accuracy (%)",
          "evaluation_cost": "evaluation cost", "training_cost": "training cost", "eta": "learning rate η"}


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise SpecError("plot needs matplotlib, which is not installed", file="specnet plot",
                        hint='Install it with: pip install -e ".[plot]"') from None
    matplotlib.use("Agg")  # files only: no window, no display needed
    import matplotlib.pyplot as plt
    return plt


def plot_runs(runs, panels, out, from_epoch: int = 0, title: str | None = None) -> Path:
    """Draw one panel per entry of `panels` ("metric" or "metric+metric") for the runs; write `out` (PNG, SVG,
    PDF by its suffix). `runs` are Run objects from specnet.runs.folder.load_run."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise SpecError(f"cannot draw a {out.suffix or 'file without a suffix'}: the picture is a PNG, SVG or PDF "
                        "file", file="--out", got=str(out), hint=f"Give a name ending in {', '.join(FORMATS)}.")
    for panel in panels:
        for metric in panel.split("+"):
            if metric not in PLOTTABLE:
                raise SpecError(f"unknown metric '{metric}'", file="--metric", got=panel,
                                hint=f"Known: {', '.join(PLOTTABLE)}; join two with + to share a panel."
                                     f"{suggest(metric, PLOTTABLE)}")
    plt = _pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(7, 3.2 * len(panels)), squeeze=False)
    names = labels([run.spec for run in runs], [run.folder.name for run in runs]) if len(runs) > 1 else [""]
    for ax, panel in zip(axes[:, 0], panels):
        drawn = 0
        for run, name in zip(runs, names):
            for metric in panel.split("+"):
                rows = [r for r in run.history if metric in r and r["epoch"] is not None and r["epoch"] >= from_epoch]
                if not rows:
                    continue
                scale = 100 if metric.endswith("accuracy") else 1
                label = name + (f" ({run.info['status']})" if run.info.get("status") not in (None, "completed") else "")
                label += (" " if label else "") + (metric.replace("_", " ") if "+" in panel else "")
                ax.plot([r["epoch"] for r in rows], [scale * r[metric] for r in rows], label=label.strip() or None,
                        marker="o" if len(rows) < 20 else None, markersize=3)  # a few epochs: show each point
                drawn += 1
        if not drawn:
            raise _nothing_to_draw(runs, panel, from_epoch)
        ax.set_xlabel("epoch")
        ax.set_ylabel(LABELS[panel] if "+" not in panel else ("accuracy (%)" if "accuracy" in panel else "cost"))
        ax.grid(alpha=0.3)
        if drawn > 1:
            ax.legend(fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=110)
    except OSError as e:
        raise SpecError(f"cannot write the picture: {e.strerror or e}", file="--out", got=str(out),
                        hint="Give a file in a folder you can write to.") from None
    finally:
        plt.close(fig)
    return out


def _nothing_to_draw(runs, panel, from_epoch) -> SpecError:
    """The error for an empty panel, saying why: no epochs at all, none from --from-epoch on, or not monitored."""
    epochs = [r["epoch"] for run in runs for r in run.history if r.get("epoch") is not None]
    if not epochs:
        return SpecError("the runs have no epochs to draw (they did not train)", file="RUN", got=panel)
    if max(epochs) < from_epoch:
        return SpecError(f"no epoch from {from_epoch} on: the runs end at epoch {max(epochs)}", file="--from-epoch",
                         got=from_epoch, hint="Give a smaller --from-epoch.")
    return SpecError(f"no run monitored {panel}", file="--metric", got=panel,
                     hint="Pick a metric listed in the runs' training.monitor.")
