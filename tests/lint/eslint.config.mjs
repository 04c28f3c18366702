// ESLint for the site's own JavaScript: `nox -s lint` runs it (pinned in package.json).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  { rules: { eqeqeq: "error", "no-var": "error", "prefer-const": "error" } },
  {
    // the site's scripts in the browser (the tutorial's panel is a module)
    files: ["docs/_static/site/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    // classic scripts beside the pages' own: Sphinx's searchtools.js defines Search,
    // sphinx-gallery's sg-tags.js selectedTags and toggleTag
    files: ["docs/_static/site/legendre-search.js", "docs/_static/site/legendre-tags.js"],
    languageOptions: {
      sourceType: "script",
      globals: { ...globals.browser, Search: "writable", selectedTags: "readonly", toggleTag: "readonly" },
    },
  },
  {
    // run by Node.js at build time (docs/_ext/math_at_build.py)
    files: ["docs/_ext/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
