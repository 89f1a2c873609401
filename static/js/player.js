// The mix player: turns templates/posts/_player.html (plain <audio controls>, one per
// version) into one player with a waveform, markers for timed comments and a version
// switcher that keeps the playback position. No inline script or style: the page
// gives everything in data- attributes.
(function () {
  "use strict";

  const root = document.querySelector("[data-player]");
  if (!root) return;
  const ui = root.querySelector("[data-player-ui]");
  const audio = ui.querySelector("[data-audio]");
  const playButton = ui.querySelector("[data-play]");
  const wave = ui.querySelector("[data-wave]");
  const canvas = ui.querySelector("[data-canvas]");
  const markers = ui.querySelector("[data-markers]");
  const timeText = ui.querySelector("[data-time]");
  const durationText = ui.querySelector("[data-duration]");
  const statusText = ui.querySelector("[data-status]");
  const items = Array.from(root.querySelectorAll("[data-mix]"));
  const versions = new Map(
    items.map((item) => [
      item.dataset.mix,
      {
        id: item.dataset.mix,
        item: item,
        src: item.dataset.src,
        label: item.dataset.version,
        duration: parseFloat(item.dataset.duration) || 0,
        peaks: item.dataset.peaks ? item.dataset.peaks.split(",").map(Number) : [],
        peaksSrc: item.dataset.peaksSrc,
      },
    ])
  );
  if (!versions.size) return;
  let current = versions.get(items[items.length - 1].dataset.mix);
  let frame = 0;

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }

  function length() {
    return Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : current.duration;
  }

  function start() {
    audio.play().catch(() => {
      statusText.textContent = "Press play to listen.";
    });
  }

  function seek(seconds) {
    const to = Math.min(Math.max(0, seconds), length());
    if (audio.readyState === 0) {
      audio.addEventListener("loadedmetadata", () => seek(to), { once: true });
      return;
    }
    audio.currentTime = to;
    update();
  }

  // The page holds the peaks of the version it opens with; others come on a switch.
  // Without them the bars are flat, and the player works all the same.
  function loadPeaks(version) {
    if (!version.peaksSrc) return;
    const src = version.peaksSrc;
    version.peaksSrc = null;
    fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { peaks: [] }))
      .then((data) => {
        version.peaks = data.peaks || [];
        if (version === current) draw();
      })
      .catch(() => {
        version.peaksSrc = src; // try again on the next switch
      });
  }

  // Switch versions at the same moment (or at `at`), playing on if it was playing.
  function select(version, { at = null, play = null } = {}) {
    loadPeaks(version);
    const position = at === null ? audio.currentTime || 0 : at;
    const playing = play === null ? !audio.paused : play;
    current = version;
    items.forEach((item) => {
      item.hidden = item !== version.item;
    });
    const radio = ui.querySelector(`input[name="player-version"][value="${version.id}"]`);
    if (radio) radio.checked = true;
    durationText.textContent = clock(version.duration);
    wave.setAttribute("aria-valuemax", String(Math.round(version.duration)));
    statusText.textContent = "";
    if (audio.getAttribute("src") !== version.src) {
      audio.pause();
      audio.src = version.src;
      audio.addEventListener(
        "loadedmetadata",
        () => {
          seek(position);
          if (playing) start();
        },
        { once: true }
      );
    } else {
      seek(position);
      if (playing) start();
    }
    placeMarkers();
    update();
  }

  function update() {
    const now = audio.currentTime || 0;
    timeText.textContent = clock(now);
    wave.setAttribute("aria-valuenow", String(Math.round(now)));
    wave.setAttribute("aria-valuetext", `${clock(now)} of ${clock(length())}`);
    const playing = !audio.paused && !audio.ended;
    root.classList.toggle("player--playing", playing);
    playButton.setAttribute("aria-label", playing ? `Pause ${current.label}` : `Play ${current.label}`);
    draw();
  }

  function draw() {
    const width = wave.clientWidth;
    const height = wave.clientHeight;
    if (!width || !height) return;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const context = canvas.getContext("2d");
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const style = getComputedStyle(wave);
    const playedColor = style.color;
    // The canvas's own colour: computed, so light-dark() is already resolved.
    const restColor = getComputedStyle(canvas).color;
    const bar = 3;
    const step = bar + 1;
    const count = Math.max(1, Math.floor(width / step));
    const peaks = current.peaks;
    const played = length() ? (audio.currentTime || 0) / length() : 0;
    for (let i = 0; i < count; i++) {
      let value = 0.12; // before the worker has drawn the waveform: an even band
      if (peaks.length) {
        const from = Math.floor((i * peaks.length) / count);
        const to = Math.max(from + 1, Math.floor(((i + 1) * peaks.length) / count));
        value = Math.max(...peaks.slice(from, to));
      }
      const h = Math.max(2, value * (height - 4));
      context.fillStyle = (i + 0.5) / count <= played ? playedColor : restColor;
      context.fillRect(i * step, (height - h) / 2, bar, h);
    }
  }

  function animate() {
    update();
    frame = audio.paused ? 0 : requestAnimationFrame(animate);
  }

  // Markers: one button per timed comment on this page made on the version shown.
  function placeMarkers() {
    markers.replaceChildren();
    document.querySelectorAll(".moment[data-seek]").forEach((link) => {
      const at = Number(link.dataset.seek);
      if (link.dataset.mix !== current.id || !(at <= current.duration)) return;
      const marker = document.createElement("button");
      marker.type = "button";
      marker.className = "player__marker";
      marker.style.left = `${(at / current.duration) * 100}%`;
      const label = `Comment by ${link.dataset.who} at ${clock(at)}`;
      marker.setAttribute("aria-label", label);
      marker.title = label;
      marker.addEventListener("click", () => {
        seek(at);
        start();
      });
      markers.append(marker);
    });
    markers.classList.toggle("player__markers--none", !markers.childElementCount);
  }

  // Enhance: one audio element for every version; the plain ones go.
  items.forEach((item) => {
    const fallback = item.querySelector("audio");
    if (fallback) fallback.remove();
  });
  root.classList.add("player--enhanced");

  playButton.addEventListener("click", () => {
    if (audio.paused || audio.ended) start();
    else audio.pause();
  });

  wave.addEventListener("click", (event) => {
    const box = wave.getBoundingClientRect();
    seek(((event.clientX - box.left) / box.width) * length());
    wave.focus();
  });

  wave.addEventListener("keydown", (event) => {
    const steps = { ArrowRight: 5, ArrowUp: 5, ArrowLeft: -5, ArrowDown: -5, PageUp: 30, PageDown: -30 };
    if (event.key in steps) seek(audio.currentTime + steps[event.key]);
    else if (event.key === "Home") seek(0);
    else if (event.key === "End") seek(length());
    else if (event.key === " " || event.key === "Enter") playButton.click();
    else return;
    event.preventDefault();
  });

  ui.querySelectorAll('input[name="player-version"]').forEach((radio) => {
    radio.addEventListener("change", () => select(versions.get(radio.value)));
  });

  // "at 1:23" links in comments: that version, that moment.
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".moment[data-seek]");
    if (!link) return;
    const version = versions.get(link.dataset.mix) || current;
    event.preventDefault();
    select(version, { at: Number(link.dataset.seek), play: true });
    root.scrollIntoView({ block: "nearest" });
    wave.focus({ preventScroll: true });
  });

  // The comment form's "Use the player's position" button.
  const now = document.querySelector("[data-moment-now]");
  if (now) {
    now.hidden = false;
    now.addEventListener("click", () => {
      const form = now.closest("form");
      form.querySelector('[name="at"]').value = clock(audio.currentTime);
      form.querySelector('[name="mix"]').value = current.id;
    });
  }

  audio.addEventListener("play", () => {
    if (!frame) frame = requestAnimationFrame(animate);
  });
  ["pause", "ended", "timeupdate", "seeked", "loadedmetadata"].forEach((name) =>
    audio.addEventListener(name, update)
  );
  audio.addEventListener("error", () => {
    statusText.textContent = "This version can't play in this browser. The download link below still works.";
  });
  window.addEventListener("resize", draw);

  select(current, { at: 0, play: false });
})();
