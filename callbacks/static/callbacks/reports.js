// Draws the report's charts from the figures the page embeds (#report-charts), with the words of
// the page's language. Chart.js is served from our own static files (vendor/chartjs/).
"use strict";
(function () {
  const COLOURS = ["#2e7d32", "#c62828", "#ef6c00", "#6a1b9a", "#757575", "#9e9e9e", "#1565c0"];

  function axis(title, extra) {
    return Object.assign({ beginAtZero: true, title: { display: true, text: title } }, extra || {});
  }

  function draw(id, type, datasets, labels, yTitle, options) {
    const canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    new window.Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: Object.assign(
        {
          animation: false,
          maintainAspectRatio: false,
          spanGaps: true,
          plugins: { legend: { position: "bottom" } },
          scales: { y: axis(yTitle) },
        },
        options || {},
      ),
    });
  }

  function line(label, data, colour, dashed) {
    return { label: label, data: data, borderColor: colour, backgroundColor: colour,
             borderDash: dashed ? [6, 4] : [], pointRadius: 2, tension: 0 };
  }

  function start() {
    const source = document.getElementById("report-charts");
    if (!source || !window.Chart) {
      return;
    }
    const figures = JSON.parse(source.textContent);
    const words = figures.words;
    const labels = figures.labels;
    draw(
      "chart-outcomes",
      "bar",
      figures.ends.map((end, i) => ({ label: end.label, data: end.data, backgroundColor: COLOURS[i] })),
      labels,
      words.callbacks,
      { scales: { x: { stacked: true }, y: axis(words.callbacks, { stacked: true }) } },
    );
    draw("chart-connect-rate", "line", [line(words.connect_rate, figures.connect_rate, COLOURS[0])],
         labels, words.percent, { scales: { y: axis(words.percent, { max: 100 }) } });
    draw("chart-waits", "line", [line(words.median, figures.wait_median, COLOURS[6]),
                                 line(words.p90, figures.wait_p90, COLOURS[2])], labels, words.minutes);
    const service = [line(words.service_level, figures.service_level, COLOURS[0])];
    if (figures.service_target !== null) {
      service.push(line(words.target, labels.map(() => figures.service_target), COLOURS[4], true));
    }
    draw("chart-service-level", "line", service, labels, words.percent,
         { scales: { y: axis(words.percent, { max: 100 }) } });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
