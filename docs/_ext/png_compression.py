"""The site's figures re-encoded as 256-colour PNGs: plots lose nothing visible, 60% of bytes.

Not sphinx-gallery's ``compress_images``: it runs optipng, a system program the build
does not otherwise need (Debian's is not installed here), and optipng is lossless, so it
saves far less on these plots than a 256-colour palette does.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo


def compress(path: Path) -> None:
    """Re-encode one PNG with a palette, keeping its resolution and text chunks."""
    with Image.open(path) as image:
        if image.mode == "P":
            return  # already compressed by an earlier build
        opaque = image.mode == "RGB" or image.getchannel("A").getextrema() == (255, 255)
        if opaque:
            small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
        else:  # thumbnails keep their transparent margin
            small = image.convert("RGBA").quantize(256, method=Image.Quantize.FASTOCTREE)
        # keep the resolution and the text chunks matplotlib wrote (figure_scraper.FONT_KEY)
        kept = PngInfo()
        for key, value in getattr(image, "text", {}).items():
            kept.add_text(key, value)
        dpi = {"dpi": image.info["dpi"]} if "dpi" in image.info else {}
    small.save(path, optimize=True, pnginfo=kept, **dpi)


def compress_images(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        for path in sorted(Path(app.outdir, "_images").glob("*.png")):
            compress(path)


def setup(app):
    app.connect("build-finished", compress_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
