// ESLint for the site's own JavaScript: `nox -s lint` runs it (pinned in package.json).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  { rules: { eqeqeq: "error", "no-var": "error", "prefer-const": "error" } },
  {
    // the panel on the tutorial page: a module script in the browser
    files: ["docs/_static/site/**/*.js"],
    languageOptions: { sourceType: "module", globals: globals.browser },
  },
  {
    // run by Node.js at build time (docs/_ext/legendre_site.py)
    files: ["docs/_ext/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
];
