// A live count under every comment box (textarea[data-maxlength]). The box has no
// maxlength attribute, because a browser would cut a long paste without a word:
// here the fan sees how much is left, and by how much a text is over, before posting.
// The server checks the same limit (posts/forms.py) and says the same.
(function () {
  "use strict";

  const format = (n) => n.toLocaleString("en-US");

  document.querySelectorAll("textarea[data-maxlength]").forEach((box) => {
    const limit = parseInt(box.dataset.maxlength, 10);
    const counter = document.createElement("p");
    counter.className = "char-count";
    counter.id = box.id + "_count";
    counter.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", counter);
    box.setAttribute(
      "aria-describedby",
      [box.getAttribute("aria-describedby"), counter.id].filter(Boolean).join(" ")
    );

    let wasOver = null;
    const update = () => {
      // Characters as the server counts them (code points, not UTF-16 units).
      const length = Array.from(box.value.trim()).length;
      const over = length - limit;
      if (over > 0) {
        counter.textContent =
          `${format(length)} characters: ${format(over)} over the ${format(limit)} limit. ` +
          "Shorten it before posting.";
      } else {
        counter.textContent = `${format(length)} of ${format(limit)} characters`;
      }
      if (wasOver !== over > 0) {
        counter.classList.toggle("char-count--over", over > 0);
        if (over > 0) box.setAttribute("aria-invalid", "true");
        else if (!box.closest(".field")?.querySelector(".errorlist")) box.removeAttribute("aria-invalid");
        wasOver = over > 0;
      }
    };
    box.addEventListener("input", update);
    update();
  });
})();
