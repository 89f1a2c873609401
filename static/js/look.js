// Look and feel: the preview box follows the colour and base being chosen, before
// saving. Without JavaScript the page shows the saved look and the form still works;
// the server checks the colour's contrast either way.
(function () {
  "use strict";
  const form = document.querySelector("[data-look]");
  if (!form) return;
  const preview = form.querySelector("[data-look-preview]");
  const accent = form.querySelector("[data-look-accent]");
  const bases = form.querySelectorAll("[data-look-base]");

  function update() {
    const base = form.querySelector("[data-look-base]:checked");
    const value = base ? base.value : "auto";
    preview.style.setProperty("color-scheme", value === "auto" ? "light dark" : value);
    if (accent.value) {
      preview.style.setProperty("--accent-light", accent.value);
      if (value === "dark") preview.style.setProperty("--accent-dark", accent.value);
      else preview.style.removeProperty("--accent-dark");
    }
  }

  accent.addEventListener("input", update);
  bases.forEach((radio) => radio.addEventListener("change", update));
  update();
})();
