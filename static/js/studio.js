// The studio's small helpers. Everything works without them; with them:
// - the write form shows its audio fields only when the kind is "Mix" (and disables
//   them otherwise, so a file chosen before switching to "Note" is not sent);
// - where schedule times are typed, a hint appears when the browser's time zone is not
//   the artist's, and the time zone page offers the browser's zone in one click.
// Listeners sit on the document, so they outlive upload.js replacing the page's body.
(function () {
  "use strict";

  function browserZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function apply() {
    const kind = document.querySelector('select[name="kind"]');
    document.querySelectorAll("[data-mix-only]").forEach((group) => {
      const off = Boolean(kind) && kind.value !== "mix";
      group.hidden = off;
      group.disabled = off;
    });
    const zone = browserZone();
    document.querySelectorAll("[data-zone-suggest]").forEach((hint) => {
      if (!zone || zone === hint.dataset.zone) return;
      hint.querySelectorAll("[data-zone-browser]").forEach((name) => (name.textContent = zone));
      hint.querySelectorAll("[data-zone-use]").forEach((button) => (button.value = zone));
      hint.hidden = false;
    });
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches('select[name="kind"]')) apply();
  });
  document.addEventListener("click", (event) => {
    const use = event.target.closest("[data-zone-use]");
    if (!use) return;
    const select = document.querySelector('select[name="time_zone"]');
    if (select) {
      select.value = use.value;
      select.focus();
    }
  });
  document.addEventListener("fanhub:page-replaced", apply);
  apply();
})();
