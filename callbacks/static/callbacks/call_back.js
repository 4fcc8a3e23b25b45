// The Call back page without reloads: only the chosen group's openings are offered, the picker
// says that group's time zone, typing a time chooses "At a time", and the button says whether it
// calls now or schedules. The page works the same without this script, only with all groups'
// openings shown.
"use strict";
(function () {
  function start() {
    const form = document.getElementById("callback-form");
    const confirm = document.getElementById("confirm-callback");
    const picker = form && form.querySelector("input[type=datetime-local]");
    if (!form || !confirm || !picker) {
      return;
    }
    const whenNow = document.getElementById("when-now");
    const whenAt = document.getElementById("when-at");
    const zone = document.getElementById("picker-zone");

    function showChosenGroup() {
      const group = form.querySelector("input[name=agent_group]:checked");
      form.querySelectorAll(".group-openings").forEach((block) => {
        const chosen = group !== null && block.dataset.group === group.value;
        block.hidden = !chosen;
        if (!chosen && block.querySelector("input:checked")) {
          whenNow.checked = true;
        }
      });
      if (group !== null) {
        zone.textContent = group.dataset.zone;
      }
    }

    function nameTheButton() {
      confirm.value = whenNow.checked ? confirm.dataset.now : confirm.dataset.later;
    }

    form.querySelectorAll("input[name=agent_group]").forEach((radio) => {
      radio.addEventListener("change", () => {
        showChosenGroup();
        nameTheButton();
      });
    });
    form.querySelectorAll("input[name=when]").forEach((radio) => {
      radio.addEventListener("change", nameTheButton);
    });
    picker.addEventListener("input", () => {
      if (picker.value) {
        whenAt.checked = true;
        nameTheButton();
      }
    });
    showChosenGroup();
    nameTheButton();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
