"""A Sphinx search language for Korean, which Sphinx lacks: particles dropped, no stemming.

Sphinx's default search language indexes Korean words with their particles (조사), so
"손실" finds neither "손실을" nor "손실은". This one drops them, in the index (Python)
and in the reader's query (the JavaScript it hands to Sphinx's search page) alike.
"""

import json
import re

from sphinx.search import SearchLanguage

# Sphinx has no Korean search language, and its default one indexes words with their
# particles (조사): "손실을" and "손실은", never "손실". _search_korean() drops
# particles after a word of two or more syllables, in the index and in the query alike.
KOREAN_PARTICLES = (
    "에서는 에서 으로 에게 부터 까지 마다 처럼 보다 은 는 이 가 을 를 의 에 로 와 과 도"
)
# Latin words take particles too ("NumPy를", "autograd가"), and the plural 들
# ("Function들과"): these are dropped after a Latin word of any length.
LATIN_PARTICLES = (
    KOREAN_PARTICLES + " 이나 나 으로는 로는 에는 와는 과는 이며 이고 만 인 일 이라 들"
)
# Query spellings that mean the same as the text's (docs/locales/ko/glossary.toml keeps
# one spelling in the text; a reader may type either): query words -> one index word.
QUERY_SPELLINGS = {"경사 하강법": "경사하강법", "경사 하강": "경사하강법"}


def korean_search():
    """A Sphinx search language for Korean: trailing particles are dropped, no stemming."""

    # Repeated to a fixed point, so "변화도를", "변화도" and "변화" share one entry; after a
    # Latin word ("NumPy를", "autograd에서도") every particle goes, down to the word itself.
    def alternatives(words: str) -> str:
        # longest first; the same order in every build (a set's order changes per process)
        return "|".join(sorted(set(words.split()), key=lambda w: (-len(w), w)))

    particle = (
        rf"^(?:([가-힣]{{2,}}?)(?:{alternatives(KOREAN_PARTICLES)})"
        rf"|([A-Za-z][A-Za-z0-9_]*[가-힣]*?)(?:{alternatives(LATIN_PARTICLES)}))$"
    )
    js_stem = (
        f"(w) => {{ let s; while ((s = w.replace(/{particle}/u, '$1$2')) !== w) w = s; return w; }}"
    )
    # the query's spellings first (QUERY_SPELLINGS), then Sphinx's own splitter
    spellings = json.dumps(QUERY_SPELLINGS, ensure_ascii=False)
    js_split = (
        "function splitQuery(query) {\n"
        f"  for (const [from, to] of Object.entries({spellings})) query = query.split(from).join(to);\n"
        "  return query.split(/[^\\p{Letter}\\p{Number}_\\p{Emoji_Presentation}]+/gu)"
        ".filter((term) => term);\n}"
    )

    class SearchKorean(SearchLanguage):
        lang, language_name = "ko", "Korean"
        js_stemmer_code = f"var Stemmer = function () {{ this.stemWord = {js_stem}; }};"
        js_splitter_code = js_split

        def split(self, input: str) -> list[str]:
            for spelling, word in QUERY_SPELLINGS.items():
                input = input.replace(spelling, word)
            return super().split(input)

        def stem(self, word: str) -> str:
            while (stripped := re.sub(particle, r"\1\2", word)) != word:
                word = stripped
            return word

        def word_filter(self, word: str) -> bool:
            # Numbers with a unit ("4.6초" splits into "4" and "6초") are not search
            # terms, and they change with every run: leave them out like bare numbers.
            return super().word_filter(word) and not word[:1].isdigit()

    return SearchKorean


def setup(app):
    app.add_search_language(korean_search())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
