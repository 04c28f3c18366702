// sphinx-gallery draws the gallery's tags as <div>s (sg-tags.js): the keyboard can
// neither reach nor press them, and a screen reader does not know which are on.
// Turn each into a button that says whether it is pressed; sg-tags.js keeps
// filtering the thumbnails through the same class names and its own functions.
(() => {
  const list = () => document.getElementById("sg-tag-list");

  function syncPressed() {
    for (const button of list().querySelectorAll("button.sphx-glr-tag")) {
      const pressed = String(button.classList.contains("active"));
      if (button.getAttribute("aria-pressed") !== pressed) {
        button.setAttribute("aria-pressed", pressed);
      }
    }
  }

  // sg-tags.js hides the thumbnails that do not match, but leaves their section's
  // heading and text standing over nothing: hide a section once all of its go.
  // (The section that holds the tag list holds every other one: it stays.)
  function hideEmptySections() {
    for (const grid of document.querySelectorAll(".sphx-glr-thumbnails")) {
      const section = grid.closest("section");
      if (!section || section.contains(list())) continue;
      const thumbnails = [...section.querySelectorAll(".sphx-glr-thumbcontainer")];
      section.hidden = thumbnails.every((thumbnail) => thumbnail.style.display === "none");
    }
  }

  function sync() {
    syncPressed();
    hideEmptySections();
  }

  // sg-tags.js writes these in English, the label after an emoji that many
  // systems lack (an empty box): plain words, in the page's language.
  const words = {
    en: { label: "Tags:", clear: "Clear" },
    ko: { label: "태그:", clear: "지우기" },
  }[document.documentElement.lang] || { label: "Tags:", clear: "Clear" };

  function upgrade() {
    if (!list() || typeof toggleTag !== "function") return;
    const label = list().querySelector("div.sphx-glr-tag-label:not(#sphx-glr-tag-clear)");
    if (label) {
      label.textContent = words.label;
      label.id = "sg-tag-list-label";
      list().setAttribute("role", "group");
      list().setAttribute("aria-labelledby", label.id);
    }
    for (const div of list().querySelectorAll("div.sphx-glr-tag, div#sphx-glr-tag-clear")) {
      const button = document.createElement("button");
      const text = div.textContent;
      button.type = "button";
      button.className = div.className;
      button.textContent = text;
      button.style.cssText = div.style.cssText; // "Clear" stays hidden until a tag is on
      if (div.id) {
        button.id = div.id;
        button.textContent = words.clear;
        button.addEventListener("click", () => {
          selectedTags.clear();
          // "Clear" hides itself, which would drop focus to the top of the page
          list().querySelector("button.sphx-glr-tag").focus();
        });
      } else {
        button.addEventListener("click", () => toggleTag(text));
      }
      div.replaceWith(button);
    }
    sync();
    new MutationObserver(sync).observe(list(), {
      subtree: true, attributes: true, attributeFilter: ["class"],
    });
    // On a phone the tags scroll sideways in one row (legendre.css), and a region
    // that scrolls must take focus for the arrow keys to scroll it.
    const phone = window.matchMedia("(max-width: 40em)");
    const scrollable = () => {
      if (phone.matches) list().tabIndex = 0;
      else list().removeAttribute("tabindex");
    };
    scrollable();
    phone.addEventListener("change", scrollable);
    // Chromium scrolls a focused tag into the row only when none of it shows: show it whole.
    list().addEventListener("focusin", (event) => {
      event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
    });
  }

  // sg-tags.js fills the list once the page is parsed (DOMContentLoaded); run after it. Both
  // are deferred (docs/_ext/html_repairs.py): this one runs before that event.
  if (document.readyState === "complete") {
    upgrade();
  } else {
    document.addEventListener("DOMContentLoaded", () => setTimeout(upgrade));
  }
})();
