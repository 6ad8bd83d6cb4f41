"""Charts as SVG text, with matplotlib's Agg backend (no display) and text kept as text (searchable,
read by screen readers, selectable in a PDF)."""

from __future__ import annotations

import io
from typing import Any


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    return plt


def svg(fig: Any) -> str:
    """The figure as an inline ``<svg>`` element (the XML prologue dropped), and the figure closed."""
    plt = pyplot()
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    s = buf.getvalue()
    return s[s.index("<svg"):]
