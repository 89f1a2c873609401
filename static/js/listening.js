// Listening reports for the artist (posts/listening.py): which 5 % segments of each
// version were heard on this page, and for how long, sent with navigator.sendBeacon
// at pause, at the end and when the page is hidden. No cookie, nothing stored on the
// device: the page draws a random number for this visit so its reports add up.
(function () {
  "use strict";

  const root = document.querySelector("[data-player][data-report]");
  if (!root || !navigator.sendBeacon || !window.crypto) return;
  const SEGMENTS = 20;
  const url = root.dataset.report;
  const preview = root.dataset.preview;
  const listen = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0")
  ).join("");
  const heard = new Map(); // version id -> {segments, seconds, last, sent}

  function versionOf(audio) {
    const item = audio.closest("[data-mix]");
    if (item) return item;
    const src = audio.getAttribute("src");
    return Array.from(root.querySelectorAll("[data-mix]")).find((i) => i.dataset.src === src);
  }

  function stateOf(item) {
    if (!heard.has(item.dataset.mix)) {
      heard.set(item.dataset.mix, { segments: new Set(), seconds: 0, last: null, sent: "" });
    }
    return heard.get(item.dataset.mix);
  }

  function length(audio, item) {
    const own = parseFloat(item.dataset.duration);
    return own > 0 ? own : audio.duration;
  }

  function track(event) {
    const audio = event.target;
    if (!(audio instanceof HTMLMediaElement)) return;
    const item = versionOf(audio);
    if (!item) return;
    const state = stateOf(item);
    const duration = length(audio, item);
    if (!(duration > 0)) return;
    const now = audio.currentTime;
    if (event.type === "seeking") {
      state.last = null;
      return;
    }
    // Time heard between two events while playing; a jump (a seek) is not heard.
    const step = 2 * Math.max(1, audio.playbackRate);
    if (state.last !== null && now > state.last && now - state.last < step) {
      state.seconds += now - state.last;
      const first = Math.floor((state.last / duration) * SEGMENTS);
      const last = Math.min(SEGMENTS - 1, Math.floor((now / duration) * SEGMENTS));
      for (let n = first; n <= last; n++) state.segments.add(n);
    }
    state.last = audio.paused ? null : now;
  }

  function send() {
    const reports = [];
    heard.forEach((state, id) => {
      if (!state.segments.size) return;
      const item = root.querySelector(`[data-mix="${id}"]`);
      const duration = parseFloat(item.dataset.duration) || 0;
      // Never more than the segments heard cover: the server checks the same.
      const cover = (state.segments.size * duration) / SEGMENTS;
      const report = {
        mix: Number(id),
        listen: listen,
        segments: Array.from(state.segments).sort((a, b) => a - b),
        heard: Math.round(Math.min(state.seconds, cover, duration) * 10) / 10,
      };
      const text = JSON.stringify(report);
      if (text === state.sent) return;
      state.sent = text;
      reports.push(report);
    });
    if (!reports.length) return;
    const body = preview ? { reports: reports, preview: preview } : { reports: reports };
    navigator.sendBeacon(url, new Blob([JSON.stringify(body)], { type: "text/plain" }));
  }

  ["timeupdate", "seeking", "play"].forEach((name) => root.addEventListener(name, track, true));
  ["pause", "ended"].forEach((name) =>
    root.addEventListener(
      name,
      (event) => {
        track(event);
        send();
      },
      true
    )
  );
  window.addEventListener("pagehide", send);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") send();
  });
})();
