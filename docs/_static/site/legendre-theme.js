// furo names its theme toggle "Toggle Light / Dark / Auto color theme" whichever mode is
// on, so a screen reader never hears the mode. Put the mode first, in the page's own
// words: the title of the icon the button shows ("Dark mode", "Auto light/dark, in light
// mode"; a Korean page's are translated), then the toggle's label. Renamed whenever the
// theme or the system's colour scheme changes.
(() => {
  function rename() {
    for (const button of document.querySelectorAll("button.theme-toggle")) {
      if (button.dataset.label === undefined) button.dataset.label = button.getAttribute("aria-label") || "";
      const shown = [...button.querySelectorAll("svg")].find((svg) => getComputedStyle(svg).display !== "none");
      const href = shown && shown.querySelector("use") && shown.querySelector("use").getAttribute("href");
      const title = href && href.startsWith("#") && document.querySelector(`${href} > title`);
      const mode = title ? title.textContent.trim() : "";
      button.setAttribute("aria-label", mode ? `${mode}: ${button.dataset.label}` : button.dataset.label);
    }
  }
  function setUp() {
    rename();
    new MutationObserver(rename).observe(document.body, { attributes: true, attributeFilter: ["data-theme"] });
    matchMedia("(prefers-color-scheme: dark)").addEventListener("change", rename);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
