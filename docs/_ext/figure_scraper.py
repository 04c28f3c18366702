"""sphinx-gallery's matplotlib scraper, with two checks that each figure reads on a phone.

A figure whose text runs past its edge fails its example. Each figure's PNG records
the size of its smallest text, in points (``FONT_KEY``): with the resolution the PNG
also records, the site's browser checks know how large that text is once the figure
is scaled to its column (``tests/site/test_reading.py``). sphinx-gallery's scraper
has no hook for either, so this one wraps it.
"""

from __future__ import annotations

import functools

FONT_KEY = "legendre:smallest-font-pt"


def smallest_text(figure) -> float | None:
    """The smallest font size, in points, of the text a matplotlib figure shows."""
    from matplotlib.text import Text

    sizes = [
        text.get_fontsize()
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]
    return min(sizes, default=None)


def cut_text(figure) -> list[str]:
    """The texts of a figure that run past its edges (a title too long for its width).

    Tick labels are left out: matplotlib keeps labels for ticks beyond the axes'
    limits, which it does not draw, and constrained layout makes room for the rest.
    """
    from matplotlib.axis import Tick
    from matplotlib.text import Text

    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    width, height = figure.bbox.width, figure.bbox.height
    ticks = {id(label) for tick in figure.findobj(Tick) for label in (tick.label1, tick.label2)}
    cut = []
    for text in figure.findobj(Text):
        if id(text) not in ticks and text.get_visible() and text.get_text().strip():
            box = text.get_window_extent(renderer)
            if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
                cut.append(text.get_text())
    return cut


def figure_scraper(block, block_vars, gallery_conf, **kwargs):
    """sphinx-gallery's matplotlib scraper, which also writes ``FONT_KEY`` into each PNG."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation
    from sphinx_gallery.scrapers import matplotlib_scraper

    # drawing an animation's figure here would start it, and leave it no frames to save
    animated = {
        id(value._fig)
        for value in block_vars["example_globals"].values()
        if isinstance(value, Animation)
    }
    for number in plt.get_fignums():
        figure = plt.figure(number)
        if id(figure) in animated:
            continue
        cut = cut_text(figure)
        if cut:
            raise ValueError(f"text cut off at the edge of a figure: {cut}")
        size = smallest_text(figure)
        if size is not None:  # every save of it, the 2x one included
            metadata = {FONT_KEY: f"{size:g}"}
            save = functools.partial(type(figure).savefig, figure, metadata=metadata)
            figure.savefig = save  # type: ignore[method-assign]
    return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)
