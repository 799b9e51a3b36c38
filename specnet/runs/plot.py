"""Learning curves like the book's figures: metrics per epoch, several runs overlaid (matplotlib, optional).

    $ specnet plot runs/ch3_overfitting-* --metric training_cost --from-epoch 200 --out cost.png
"""
from __future__ import annotations

from pathlib import Path
from textwrap import fill

from specnet.errors import SpecError
from specnet.components.metrics import METRICS
from specnet.registry import suggest
from specnet.runs.listing import labels

FORMATS = (".png", ".svg", ".pdf")
PLOTTABLE = METRICS + ("eta",)  # eta: the learning rate of each epoch, as a schedule set it

LABELS = {"evaluation_accuracy": "evaluation accuracy (%)", "training_accuracy": "training accuracy (%)",
          "evaluation_cost": "evaluation cost", "training_cost": "training cost", "eta": "learning rate η"}
# The book's figures: a panel per quantity, the data it was measured on in the title; here also a line style
# per data set when a panel holds two metrics (solid: the evaluation split, dashed: the training data).
QUANTITY = {"accuracy": "Accuracy (%)", "cost": "Cost", "eta": "Learning rate η"}
STYLES = {"evaluation": "-", "training": "--", "eta": "-"}


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
    out = picture_path(out)
    for panel in panels:
        for metric in panel.split("+"):
            if metric not in PLOTTABLE:
                raise SpecError(f"unknown metric '{metric}'", file="--metric", got=panel,
                                hint=f"Known: {', '.join(PLOTTABLE)}; join two with + to share a panel."
                                     f"{suggest(metric, PLOTTABLE)}")
    return save(draw(runs, panels, from_epoch, title), out)


def picture_path(out) -> Path:
    """Return `out` as a Path if it names a picture matplotlib writes (.png, .svg, .pdf), else one line."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise SpecError(f"cannot draw a {out.suffix or 'file without a suffix'}: the picture is a PNG, SVG or PDF "
                        "file", file="--out", got=str(out), hint=f"Give a name ending in {', '.join(FORMATS)}.")
    return out


def save(fig, out: Path) -> Path:
    """Write the figure to `out` (its folder made if need be) and close it; a write the system refuses is one line."""
    plt = _pyplot()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=110, bbox_inches="tight")  # "tight": the legends outside the axes are kept whole
    except OSError as e:
        raise SpecError(f"cannot write the picture: {e.strerror or e}", file="--out", got=str(out),
                        hint="Give a file in a folder you can write to.") from None
    finally:
        plt.close(fig)
    return out


def draw(runs, panels, from_epoch: int = 0, title: str | None = None):
    """Return the matplotlib figure of `plot_runs` (the panels checked): a colour per run, a line style per
    metric (evaluation solid, training dashed), whole epochs on the x axis, each legend right of its panel."""
    plt = _pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 3.2 * len(panels)), squeeze=False)
    names = labels([run.spec for run in runs], [run.folder.name for run in runs]) if len(runs) > 1 else [""]
    names = [(name + (f" ({run.info['status']})" if run.info.get("status") not in (None, "completed") else "")).strip()
             for run, name in zip(runs, names)]
    splits = [getattr(getattr(run.spec.data, "evaluation", None), "split", None) for run in runs]
    if len(set(splits)) > 1:  # the panel says "evaluation data": each run says which
        names = [f"{name or run.folder.name}, {split} data" for name, run, split in zip(names, runs, splits)]
    for ax, panel in zip(axes[:, 0], panels):
        drawn, metrics = set(), panel.split("+")
        for i, (run, name) in enumerate(zip(runs, names)):
            for metric in metrics:
                rows = [r for r in run.history if metric in r and r["epoch"] is not None and r["epoch"] >= from_epoch]
                if rows:
                    scale = 100 if metric.endswith("accuracy") else 1
                    ax.plot([r["epoch"] for r in rows], [scale * r[metric] for r in rows], color=f"C{i % 10}",
                            linestyle=STYLES[metric.split("_")[0]], marker="o" if len(rows) < 20 else None,
                            markersize=3)  # a few epochs: show each point
                    drawn.add((i, metric))
        if not drawn:
            plt.close(fig)  # not left open in pyplot's list of figures
            raise _nothing_to_draw(runs, panel, from_epoch)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set(xlabel="Epoch", ylabel=quantity(metrics), title=panel_title(runs, metrics))
        ax.grid(alpha=0.3)
        shown = sorted({i for i, _ in drawn})  # the legend: a colour per run, then a line style per metric
        style = STYLES[metrics[0].split("_")[0]] if len(metrics) == 1 else "-"
        keys = [Line2D([], [], color=f"C{i % 10}", linestyle=style, label=fill(names[i], 40)) for i in shown
                if len(shown) > 1 or names[i]]
        keys += [Line2D([], [], color="0.3", linestyle=STYLES[m.split("_")[0]], label=data_words(runs, m))
                 for m in metrics if len(metrics) > 1]
        if keys:
            ax.legend(handles=keys, loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def data_words(runs, metric: str) -> str:
    """Return the data a metric was measured on, as the book names it: 'training data', or for an evaluation
    metric the runs' evaluation split ('test data', 'validation data'; 'evaluation data' when they differ)."""
    if not metric.startswith("evaluation"):
        return "training data"
    splits = {getattr(getattr(run.spec.data, "evaluation", None), "split", None) for run in runs}
    return f"{splits.pop()} data" if len(splits) == 1 and None not in splits else "evaluation data"


def panel_title(runs, metrics) -> str:
    """Return a panel's title as the book's figures have them: 'Accuracy (%) on the test data', 'Cost on the
    training data', 'Accuracy (%) on the test data and the training data'."""
    if metrics == ["eta"]:
        return "Learning rate η of each epoch"
    return f"{quantity(metrics)} on the " + " and the ".join(dict.fromkeys(data_words(runs, m) for m in metrics))


def quantity(metrics) -> str:
    """Return what a panel's y axis shows: 'Accuracy (%)', 'Cost', or 'Accuracy (%) and cost'."""
    quantities = list(dict.fromkeys(QUANTITY[m.rsplit("_", 1)[-1]] for m in metrics))
    return " and ".join(quantities[:1] + [q.lower() for q in quantities[1:]])


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
