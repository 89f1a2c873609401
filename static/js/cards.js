// Play a mix from its card, without leaving the page. One shared <audio> plays the
// version the post's player opens with; only one thing plays at a time on the site
// (any <audio> that starts pauses the others, the post player's included).
(function () {
  "use strict";
  const cards = document.querySelectorAll("[data-card-player]");
  const audio = document.createElement("audio");
  audio.preload = "none";
  audio.hidden = true;
  document.body.appendChild(audio);
  let current = null; // the card whose mix is loaded

  document.addEventListener(
    "play",
    (event) => {
      document.querySelectorAll("audio").forEach((other) => {
        if (other !== event.target) other.pause();
      });
    },
    true,
  );

  function show(card, playing) {
    const button = card.querySelector("[data-card-play]");
    button.setAttribute("aria-pressed", playing ? "true" : "false");
    card.classList.toggle("card__player--playing", playing);
  }

  cards.forEach((card) => {
    const button = card.querySelector("[data-card-play]");
    card.querySelector("[data-card-fallback]").hidden = true;
    button.hidden = false;
    button.addEventListener("click", () => {
      if (current !== card) {
        if (current) show(current, false);
        current = card;
        audio.src = card.dataset.src;
        card.querySelector("[data-card-progress]").hidden = false;
      }
      if (audio.paused) audio.play().catch(() => show(card, false));
      else audio.pause();
    });
  });

  audio.addEventListener("play", () => current && show(current, true));
  audio.addEventListener("pause", () => current && show(current, false));
  audio.addEventListener("ended", () => current && show(current, false));
  audio.addEventListener("timeupdate", () => {
    if (!current || !audio.duration) return;
    current.querySelector("[data-card-progress]").value = Math.round(
      (1000 * audio.currentTime) / audio.duration,
    );
  });
})();
