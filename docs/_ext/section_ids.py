"""Section anchors a reader can read: ``#파이썬에서-역전파`` rather than ``#id3``.

docutils makes a section's id from its title in ASCII only, so a Korean title gets a
counter, ``id1``, ``id2``..., or the one Latin word in it (``function``): the address
bar and every link to the section then say little about where they lead. This
transform gives such a section a slug of its whole title, Hangul kept, and points the
page's own links (its contents, its references) at the new id. English ids stay as
docutils makes them, so links to them from elsewhere keep working.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

COUNTER_ID = re.compile(r"id\d+")
HANGUL = re.compile("[가-힣]")


def slug(title: str) -> str:
    """Lower case, letters and digits of any script kept, everything else one hyphen."""
    return re.sub(r"[\W_]+", "-", title.lower()).strip("-")


class ReadableSectionIds(SphinxTransform):
    # after docutils has resolved the page's references (<= 680), before Sphinx records
    # the ids for the contents and the cross-references (850)
    default_priority = 800

    def apply(self, **kwargs) -> None:
        renamed: dict[str, str] = {}
        for section in self.document.findall(nodes.section):
            title = section[0].astext() if section.children else ""
            for i, old in enumerate(section["ids"]):
                made = COUNTER_ID.fullmatch(old) or old == nodes.make_id(title)
                if not made or not HANGUL.search(title):
                    continue
                base = slug(title)
                new, n = base, 1
                while new in self.document.ids:
                    n += 1
                    new = f"{base}-{n}"
                section["ids"][i] = new
                self.document.ids[new] = self.document.ids.pop(old, section)
                renamed[old] = new
        if not renamed:
            return
        for name, id_ in list(self.document.nameids.items()):
            if id_ in renamed:
                self.document.nameids[name] = renamed[id_]
        for node in self.document.findall(nodes.Element):
            if node.get("refid") in renamed:
                node["refid"] = renamed[node["refid"]]
            if node.get("backrefs"):
                node["backrefs"] = [renamed.get(id_, id_) for id_ in node["backrefs"]]


def setup(app):
    app.add_transform(ReadableSectionIds)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
