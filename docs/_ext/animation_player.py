"""matplotlib's animation player, as sphinx-gallery embeds it, made self-contained and valid.

sphinx-gallery (``matplotlib_animations = (True, "jshtml")``) embeds matplotlib's
JavaScript player as matplotlib writes it: Font Awesome icons from a CDN, an ``<img>``
with neither ``src`` nor ``alt``, an unlabelled slider, obsolete script attributes,
random ids that change every build, and a ``<style>`` inside the body. Neither library
has an option for any of these; this extension rewrites the player on each page.
"""

from __future__ import annotations

import html
import re

from sphinx.locale import _

# The first frame's alt text: before it plays, the player's image is the figure.
# Translated in the theme catalog (locales/<language>/LC_MESSAGES/sphinx.po).
ANIMATION_ALT = "Animation for {title}"
MESSAGES = [ANIMATION_ALT]
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


def tidy_animations(body: str, title: str, alt: str = ANIMATION_ALT) -> tuple[str, str]:
    """Make matplotlib's animation player self-contained and valid; return it and its styles.

    ``alt`` (its ``{title}`` the page's) describes the first frame, which the player shows.
    """
    if 'class="animation"' not in body:
        return body, ""
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
            rf'var img_id = "_anim_img{match[1]}".*?frames\[0\] = "(data:[^"]*)"', body, re.DOTALL
        ) or re.search(r'frames\[0\] = "(data:[^"]*)"', body[match.end() :])
        src = re.sub(r"\\\n|\s", "", frame[1]) if frame else ""
        return f'<img id="_anim_img{match[1]}" alt="{alt}" src="{src}">'

    body = re.sub(r'<img id="_anim_img(\w+)">', first_frame, body)
    styles = "".join(re.findall(r"<style>.*?</style>", body, re.DOTALL))
    return re.sub(r"<style>.*?</style>", "", body, flags=re.DOTALL), styles


def tidy_page(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    if "body" not in context:
        return
    alt = str(_(ANIMATION_ALT))
    context["body"], styles = tidy_animations(context["body"], context.get("title", ""), alt)
    if styles:  # in the head, where HTML wants them
        context["metatags"] = context.get("metatags", "") + "\n" + styles


def setup(app):
    app.connect("html-page-context", tidy_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
