// Upload progress for the studio's forms that carry a file (form[data-upload]).
// Without JavaScript the same forms post normally; with it, the file goes up by XHR
// so a progress bar can show, and a file over the limit is refused before sending.
(function () {
  "use strict";

  function size(bytes) {
    const mb = bytes / (1024 * 1024);
    return mb >= 1 ? `${mb.toFixed(mb >= 10 ? 0 : 1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
  }

  function showError(input, message) {
    const error = document.createElement("p");
    error.className = "errorlist";
    error.setAttribute("role", "alert");
    error.dataset.clientError = "";
    error.textContent = message;
    input.insertAdjacentElement("afterend", error);
    input.focus();
  }

  // The server answered with the form again (its errors, or a preview): show that page
  // in place, with the files the artist chose still chosen, since a browser can move a
  // FileList from one input to another but never fill one from the server's side.
  function replacePage(html, chosen) {
    const page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    window.scrollTo(0, 0);
    let kept = 0;
    document.querySelectorAll('form[data-upload] input[type="file"]').forEach((input) => {
      const files = chosen.get(input.name);
      // A file the server refused (aria-invalid) has to be chosen again.
      if (files && input.getAttribute("aria-invalid") !== "true") {
        input.files = files;
        kept += 1;
      }
    });
    if (kept && kept === chosen.size) {
      // The page says "choose it again"; here nothing was lost.
      document.querySelectorAll("[data-files-dropped]").forEach((note) => note.remove());
    }
    init();
    // Other scripts (studio.js) set up the new page's controls again.
    document.dispatchEvent(new Event("fanhub:page-replaced"));
    const alert = document.querySelector('[role="alert"]');
    if (alert) {
      alert.tabIndex = -1;
      alert.focus();
    }
  }

  // Where the form posts. Not `form.action`: the write form's buttons are named
  // "action", and a form's named controls shadow its properties.
  function target(form, submitter) {
    const url =
      (submitter && submitter.getAttribute("formaction")) ||
      form.getAttribute("action") ||
      window.location.href;
    return new URL(url, document.baseURI);
  }

  function bind(form) {
    const box = form.querySelector("[data-upload-progress]");
    if (!box || form.dataset.uploadReady) return;
    form.dataset.uploadReady = "1";
    const bar = box.querySelector("progress");
    const status = box.querySelector("[data-upload-status]");
    const cancel = box.querySelector("[data-upload-cancel]");
    const buttons = form.querySelectorAll('button[type="submit"]');
    let request = null;

    function finish(message) {
      request = null;
      buttons.forEach((button) => (button.disabled = false));
      cancel.hidden = true;
      bar.hidden = true;
      status.textContent = message;
    }

    form.addEventListener("submit", (event) => {
      form.querySelectorAll("[data-client-error]").forEach((error) => error.remove());
      const inputs = Array.from(form.querySelectorAll('input[type="file"]')).filter(
        (input) => input.files.length
      );
      for (const input of inputs) {
        const limit = Number(input.dataset.maxBytes);
        const file = input.files[0];
        if (limit && file.size > limit) {
          event.preventDefault();
          showError(input, `This file is ${size(file.size)}; the limit is ${size(limit)}. Please choose a smaller export.`);
          return;
        }
      }
      if (!inputs.length) return; // nothing to upload: the plain submit is quick
      event.preventDefault();
      let data;
      try {
        data = new FormData(form, event.submitter);
      } catch (error) {
        data = new FormData(form);
        if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
      }
      const url = target(form, event.submitter);
      const chosen = new Map(inputs.map((input) => [input.name, input.files]));
      if (event.submitter && event.submitter.value === "preview") {
        // A preview shows the words; the files stay chosen here (replacePage puts them
        // back), so they go up once, with Save, Schedule or Publish.
        inputs.forEach((input) => data.delete(input.name));
      }
      request = new XMLHttpRequest();
      request.open("POST", url);
      request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      request.upload.addEventListener("progress", (progress) => {
        if (!progress.lengthComputable) return;
        const percent = Math.floor((progress.loaded / progress.total) * 100);
        bar.value = percent;
        status.textContent = `Uploading… ${percent}% (${size(progress.loaded)} of ${size(progress.total)})`;
      });
      request.upload.addEventListener("load", () => {
        bar.removeAttribute("value"); // indeterminate while the server checks the file
        cancel.hidden = true;
        status.textContent = "Uploaded. Checking the audio…";
      });
      request.addEventListener("load", () => {
        const type = request.getResponseHeader("Content-Type") || "";
        const answered = new URL(request.responseURL || url.href);
        if (type.includes("application/json")) {
          window.location.assign(JSON.parse(request.responseText).location);
        } else if (request.status === 200 && answered.pathname === url.pathname) {
          replacePage(request.responseText, chosen);
        } else {
          // Anything else (signed out, an expired form, a server error) is not this
          // form: keep the page as it is, with everything typed and chosen.
          const title = new DOMParser().parseFromString(request.responseText, "text/html").title;
          const reason = title ? `“${title.split(" · ")[0]}”` : `error ${request.status}`;
          finish(`Nothing was saved: the site answered ${reason}. Everything you typed and chose is still here; please try again.`);
        }
      });
      request.addEventListener("error", () =>
        finish("The upload stopped because the connection dropped. Please try again.")
      );
      request.addEventListener("abort", () => finish("Upload cancelled. Nothing was saved."));
      buttons.forEach((button) => (button.disabled = true));
      box.hidden = false;
      bar.hidden = false;
      bar.value = 0;
      cancel.hidden = false;
      status.textContent = "Uploading…";
      request.send(data);
    });

    cancel.addEventListener("click", () => {
      if (request) request.abort();
    });
  }

  function init() {
    document.querySelectorAll("form[data-upload]").forEach(bind);
  }

  init();
})();
