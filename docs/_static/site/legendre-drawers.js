// Below 1008 px furo opens its site menu (with the search box and the language switch)
// and the page's contents from icons that are <label>s for hidden checkboxes: Tab
// skips them, so the keyboard cannot open either drawer. Make each icon a button:
// focusable, named after its checkbox, announcing whether its drawer is open, and
// toggled by Enter or Space. Opening a drawer moves focus into it; Escape closes it
// and returns focus to the icon.
(() => {
  const drawers = { __navigation: ".sidebar-drawer", __toc: ".toc-drawer" };
  const focusable = "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea";

  function setUp() {
    const opener = {};
    for (const label of document.querySelectorAll("label.nav-overlay-icon, label.toc-overlay-icon")) {
      const box = document.getElementById(label.htmlFor);
      if (!box || !(box.id in drawers) || label.getAttribute("role") === "button") continue;
      label.setAttribute("role", "button");
      label.tabIndex = 0;
      label.setAttribute("aria-label", box.getAttribute("aria-label") || "");
      label.setAttribute("aria-expanded", String(box.checked));
      box.addEventListener("change", () => label.setAttribute("aria-expanded", String(box.checked)));
      label.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        box.click();
        if (!box.checked) return;
        opener[box.id] = label;
        const drawer = document.querySelector(drawers[box.id]);
        // the drawer shows at once (legendre.css): focus its first control
        const first = drawer && [...drawer.querySelectorAll(focusable)].find((e) => e.offsetParent);
        if (first) first.focus();
      });
    }
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      for (const id of Object.keys(drawers)) {
        const box = document.getElementById(id);
        if (!box || !box.checked) continue;
        box.click();
        if (opener[id]) opener[id].focus();
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
