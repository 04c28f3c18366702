// Search results quote each page's text, where a formula is MathJax's glyphs run
// together: "P3(x)=12(5x3−3x)". Quote its TeX source instead, which the build keeps
// in data-tex (docs/_ext/math_at_build.py), without TeX's spacing commands.
(() => {
  function quoteTex() {
    if (typeof Search === "undefined" || Search.htmlToText.quotesTex) return;
    const toText = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      for (const formula of page.querySelectorAll("mjx-container[data-tex]")) {
        const tex = formula.dataset.tex.replace(/\\[,;:!]|\\q?quad\b/g, " ");
        formula.replaceWith(` ${tex.replace(/\s+/g, " ").trim()} `);
      }
      return toText(page.documentElement.outerHTML, anchor);
    };
    Search.htmlToText.quotesTex = true;
  }
  quoteTex(); // searchtools.js loads after this file on the search page:
  document.addEventListener("DOMContentLoaded", quoteTex);
})();
