"""PNG figures for the evaluation report (matplotlib, headless).

matplotlib is part of the eval extra only, so it is imported inside each
function, and the Agg backend is forced: suites run on servers and in CI,
where there is no display.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from voicesmith.evaluation._common import require


def _pyplot() -> Any:
    matplotlib = require("matplotlib", "matplotlib", purpose="report plots")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def _figure(path: Path, size: tuple[float, float]) -> Iterator[tuple[Any, Any]]:
    """A figure and its axes; on exit laid out and written to ``path``, always closed
    (a report makes many figures in one process)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=size)
    try:
        yield fig, ax
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)


def bar_chart(path: Path, labels: Sequence[str], values: Sequence[float], *, title: str,
              ylabel: str, reference: float | None = None, reference_label: str = "",
              colors: Sequence[str] | None = None) -> Path:
    """One bar per label, with an optional dashed horizontal reference line."""
    with _figure(path, (max(6.0, 0.32 * len(labels) + 2.0), 4.0)) as (_, ax):
        ax.bar(range(len(labels)), values, color=list(colors) if colors else "tab:blue")
        ax.set_xticks(range(len(labels)), list(labels), rotation=60, ha="right", fontsize=8)
        if reference is not None:
            ax.axhline(reference, color="tab:red", linestyle="--", linewidth=1,
                       label=reference_label or None)
            if reference_label:
                ax.legend(loc="upper right", fontsize=8)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", alpha=0.3)
    return path


def heatmap(path: Path, rows: Sequence[str], cols: Sequence[str],
            matrix: Sequence[Sequence[float]], *, title: str, label: str) -> Path:
    """A labelled matrix of values (e.g. speaker similarity), each cell annotated."""
    size = max(4.5, 0.7 * max(len(rows), len(cols)) + 2.5)
    with _figure(path, (size, size * 0.85)) as (fig, ax):
        image = ax.imshow(matrix, cmap="viridis", vmin=0.0, vmax=1.0)
        ax.set_xticks(range(len(cols)), list(cols), rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(rows)), list(rows), fontsize=8)
        for i, row in enumerate(matrix):
            for j, value in enumerate(row):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if value < 0.6 else "black")
        fig.colorbar(image, ax=ax, label=label)
        ax.set_title(title)
    return path


def scatter_levels(path: Path, points: Sequence[tuple[str, float | None, float]], *,
                   title: str, xlabel: str, ylabel: str) -> Path:
    """(group, requested level, measured value) points, one line per group, in level order."""
    groups: dict[str, list[tuple[float, float]]] = {}
    for group, level, value in points:
        if level is not None:
            groups.setdefault(group, []).append((level, value))
    with _figure(path, (6.5, 4.2)) as (_, ax):
        for group, pairs in sorted(groups.items()):
            pairs.sort()
            ax.plot([p[0] for p in pairs], [p[1] for p in pairs], marker="o", label=group)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if groups:
            ax.legend(fontsize=8)
    return path
