"""matplotlib's animation player, as sphinx-gallery embeds it, made self-contained and valid.

sphinx-gallery (``matplotlib_animations = (True, "jshtml")``) embeds matplotlib's
JavaScript player as matplotlib writes it: Font Awesome icons from a CDN, an ``<img>``
with neither ``src`` nor ``alt``, an unlabelled slider, obsolete script attributes,
random ids that change every build, a ``<style>`` inside the body, and every frame
inline as base64 (the animation page weighed 820 KB, most of a phone's load). Neither
library has an option for any of these; this extension rewrites the player on each page:
the frames become files in ``_images/``, named by their content, and the player fetches
them only when it comes near the window (the first frame shows at once, as the figure,
at the size its dots per inch give it).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import re
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from sphinx.locale import _
from theme_messages import N_

# The first frame's alt text: before it plays, the player's image is the figure.
# Translated in the theme catalog (locales/<language>/LC_MESSAGES/sphinx.po).
ANIMATION_ALT = N_("Animation for {title}")
# Font Awesome's icons as inline SVG paths (24 x 24): a character such as U+23F4
# draws as an empty box where the font lacks it, or as a colour emoji elsewhere.
ICONS = {
    "fa-minus": "M5 11h14v2H5z",
    "fa-fast-backward": "M4 5h2v14H4zM13 5v14l-7-7zM20 5v14l-7-7z",
    "fa-step-backward": "M6 5h2v14H6zM18 5v14l-9-7z",
    "fa-play fa-flip-horizontal": "M17 5v14L6 12z",
    "fa-pause": "M7 5h3v14H7zM14 5h3v14h-3z",
    "fa-play": "M7 5v14l11-7z",
    "fa-step-forward": "M6 5v14l9-7zM16 5h2v14h-2z",
    "fa-fast-forward": "M4 5v14l7-7zM11 5v14l7-7zM18 5h2v14h-2z",
    "fa-plus": "M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z",
}


def icon(name: str) -> str:
    """One of the player's icons, drawn in the text's colour."""
    return (
        '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
        f'<path fill="currentColor" d="{ICONS[name]}"/></svg>'
    )


# Starts the player (and so the fetching of its frames) when it comes within this
# distance of the window, instead of when the page loads.
NEAR = "600px 0px"
LAZY_START = (
    "new IntersectionObserver(function(seen, observer) {{\n"
    "      if (!seen.some(function(entry) {{ return entry.isIntersecting; }})) return;\n"
    "      observer.disconnect();\n"
    "      {start}\n"
    '    }}, {{rootMargin: "{near}"}}).observe(document.getElementById(img_id));'
)


def frames_as_files(body: str, save: Callable[[str, bytes], str]) -> str:
    """Put each inline frame in a file: ``save(name, data)`` writes it, returns its URL.

    The player then starts when it comes near the window: matplotlib's player fetches
    every frame as it starts.
    """

    def to_file(match: re.Match) -> str:
        data = base64.b64decode(re.sub(r"\\\n|\s", "", match[3]))
        name = f"animation_{hashlib.sha256(data).hexdigest()[:16]}.{match[2]}"
        return f'{match[1]}"{save(name, data)}"'

    body = re.sub(r'(frames\[\d+\] = )"data:image/(\w+);base64,([^"]*)"', to_file, body)
    return re.sub(
        r"setTimeout\(function\(\) \{\s*(anim\w+ = new Animation\(.*?\);)\s*\}, 0\);",
        lambda m: LAZY_START.format(start=m[1], near=NEAR),
        body,
        flags=re.DOTALL,
    )


def shown_size(frame: bytes) -> str:
    """The frame's width and height attributes: its size at 72 dots per inch, one pixel a point.

    A frame drawn at more dots per inch (its PNG records how many) shows at that size, sharp
    where a CSS pixel has more than one screen pixel. Empty if the frame cannot be read.
    """
    try:
        with Image.open(io.BytesIO(frame)) as image:
            dpi = image.info.get("dpi", (72, 72))[0]
            width, height = (round(side * 72 / dpi) for side in image.size)
    except (OSError, ValueError):
        return ""
    return f' width="{width}" height="{height}"'


def tidy_animations(
    body: str,
    title: str,
    alt: str = ANIMATION_ALT,
    save: Callable[[str, bytes], str] | None = None,
) -> tuple[str, str]:
    """Make matplotlib's animation player self-contained and valid; return it and its styles.

    ``alt`` (its ``{title}`` the page's) describes the first frame, which the player shows.
    With ``save`` (see :func:`frames_as_files`) the frames move out of the page.
    """
    if 'class="animation"' not in body:
        return body, ""
    frames: dict[str, bytes] = {}  # each saved frame's URL and its data

    def keep(name: str, data: bytes) -> str:
        frames[url := save(name, data)] = data
        return url

    if save is not None:
        body = frames_as_files(body, keep)
    body = re.sub(r'<link rel="stylesheet"\s+href="https://[^"]*font-awesome[^"]*">', "", body)
    body = re.sub(r'<i class="fa ([\w -]+)"></i>', lambda m: icon(m[1]), body)
    # matplotlib names each player with a random uuid4: number them, so builds repeat
    for number, uid in enumerate(dict.fromkeys(re.findall(r"_anim_img(\w{32})\b", body)), 1):
        body = body.replace(uid, f"_{number}")
    body = body.replace('<script language="javascript">', "<script>")
    body = body.replace('class="anim-slider"', 'class="anim-slider" aria-label="Frame"')
    text = html.unescape(re.sub("<[^>]+>", "", title))
    alt = html.escape(alt.format(title=text), quote=True)

    def first_frame(match: re.Match) -> str:
        frame = re.search(
            rf'var img_id = "_anim_img{match[1]}".*?frames\[0\] = "([^"]*)"', body, re.DOTALL
        ) or re.search(r'frames\[0\] = "([^"]*)"', body[match.end() :])
        src = re.sub(r"\\\n|\s", "", frame[1]) if frame else ""
        data = frames.get(src) or base64.b64decode(src.partition(",")[2])
        return f'<img id="_anim_img{match[1]}" alt="{alt}" src="{src}"{shown_size(data)}>'

    body = re.sub(r'<img id="_anim_img(\w+)">', first_frame, body)
    styles = "".join(re.findall(r"<style>.*?</style>", body, re.DOTALL))
    return re.sub(r"<style>.*?</style>", "", body, flags=re.DOTALL), styles


def tidy_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" not in context:
        return
    alt = str(_(ANIMATION_ALT))
    images = Path(app.builder.outdir) / app.builder.imagedir

    def save(name: str, data: bytes) -> str:
        images.mkdir(parents=True, exist_ok=True)
        if not (images / name).is_file():
            (images / name).write_bytes(data)
        return context["pathto"](f"{app.builder.imagedir}/{name}", 1)

    title = context.get("title", "")
    context["body"], styles = tidy_animations(context["body"], title, alt, save)
    if styles:  # in the head, where HTML wants them
        context["metatags"] = context.get("metatags", "") + "\n" + styles


def setup(app):
    app.connect("html-page-context", tidy_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
