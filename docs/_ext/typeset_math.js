// Typesets TeX with MathJax at build time, so the pages need no MathJax script.
// Usage: node typeset_math.js MATHJAX_DIR FONT_URL < [{"tex": ..., "display": bool}, ...]
// Prints {"html": [one <mjx-container> per formula], "css": the stylesheet they need}.
const [mathjaxDir, fontURL] = process.argv.slice(2);
const formulas = JSON.parse(require("fs").readFileSync(0, "utf8"));

require(`${mathjaxDir}/node-main.js`)
  .init({
    // assistive-mml adds hidden MathML, which screen readers read instead of the glyphs
    loader: { load: ["input/tex", "output/chtml", "a11y/assistive-mml"] },
    chtml: { fontURL, adaptiveCSS: true }, // CSS for the glyphs used, not the whole font
    startup: { typeset: false },
  })
  .then(async (MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const html = [];
    for (const { tex, display } of formulas) {
      // the Promise form waits for TeX packages that load on first use (\boldsymbol)
      html.push(adaptor.outerHTML(await MathJax.tex2chtmlPromise(tex, { display })));
    }
    const css = adaptor.textContent(MathJax.chtmlStylesheet());
    process.stdout.write(JSON.stringify({ html, css }));
  })
  .catch((error) => {
    console.error(error.stack || error);
    process.exit(1);
  });
