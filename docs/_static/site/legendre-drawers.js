// Below 1008 px furo opens its site menu (with the search box and the language switch)
// and the page's contents from icons that are <label>s for hidden checkboxes: Tab
// skips them, so the keyboard cannot open either drawer. Make the icon inside each
// label a button (a <label> may not take the button role, and axe flags it): focusable,
// named after its checkbox, announcing whether its drawer is open, and toggled by
// Enter or Space. Opening a drawer moves focus into it; Escape closes it
// and returns focus to the icon.
(() => {
  const drawers = { __navigation: ".sidebar-drawer", __toc: ".toc-drawer" };
  const focusable = "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea";

  function setUp() {
    const opener = {};
    for (const label of document.querySelectorAll("label.nav-overlay-icon, label.toc-overlay-icon")) {
      const box = document.getElementById(label.htmlFor);
      const icon = label.querySelector(".icon");
      if (!box || !icon || !(box.id in drawers) || icon.getAttribute("role") === "button") continue;
      icon.setAttribute("role", "button");
      icon.tabIndex = 0;
      icon.setAttribute("aria-label", box.getAttribute("aria-label") || "");
      icon.setAttribute("aria-expanded", String(box.checked));
      box.addEventListener("change", () => icon.setAttribute("aria-expanded", String(box.checked)));
      icon.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" && event.key !== " ") return;
        event.preventDefault();
        box.click();
        if (!box.checked) return;
        opener[box.id] = icon;
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
