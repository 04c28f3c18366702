// The site's own stylesheets (docs/_static/site/*.css), as `nox -s lint` checks them.
// Rules for mistakes only, none for style: a block left open is a syntax error, and
// a rule opened inside another (its closing brace lost) exceeds the nesting depth.
export default {
  rules: {
    "max-nesting-depth": [0, { ignoreAtRules: ["media", "supports"] }],
    "block-no-empty": true,
    "color-no-invalid-hex": true,
    "declaration-block-no-duplicate-properties": [true, { ignore: ["consecutive-duplicates"] }],
    "no-duplicate-selectors": true,
    "property-no-unknown": true,
    "unit-no-unknown": true,
    "selector-pseudo-class-no-unknown": true,
    "at-rule-no-unknown": true,
  },
};
