// The TTS preset form's estimate of how long its text takes to speak, kept current while the
// text, language or speed is typed: the same sum as the server's (models/audio.py), characters
// over characters-a-second for the language times the speed, against Exolve's limit.
"use strict";
(function () {
  function estimate(shown, rates) {
    const text = document.getElementById("id_text");
    const lang = document.getElementById("id_lang");
    const speed = Number.parseFloat((document.getElementById("id_speed") || {}).value);
    if (!text || !lang || !(speed > 0)) {
      return;
    }
    const rate = rates[lang.value] || Math.min(...Object.values(rates));
    const seconds = [...text.value.trim()].length / (rate * speed);
    const limit = Number(shown.dataset.limit);
    const number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    }).format(seconds);
    const words = seconds > limit ? shown.dataset.over : shown.dataset.within;
    shown.textContent = words.replace("%(seconds)s", number).replace("%(limit)s", limit);
    shown.classList.toggle("over-limit", seconds > limit);
  }

  function start() {
    const shown = document.getElementById("tts-estimate");
    if (!shown) {
      return;
    }
    const rates = JSON.parse(shown.dataset.rates);
    const update = () => estimate(shown, rates);
    ["id_text", "id_lang", "id_speed"].forEach((id) => {
      const input = document.getElementById(id);
      if (input) {
        input.addEventListener("input", update);
        input.addEventListener("change", update);
      }
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
