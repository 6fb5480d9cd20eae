// Scoreboard charts, drawn with the bundled plotly and its Chinese locale (no CDN).
(function () {
  function draw() {
    var source = document.getElementById("command-figures");
    if (!source || !window.Plotly) return;
    var figures = JSON.parse(source.textContent);
    var lang = (document.documentElement.lang || "").toLowerCase();
    var locale = lang.indexOf("zh") === 0 ? "zh-CN" : "en";
    document.querySelectorAll(".chart[data-key]").forEach(function (box) {
      var figure = figures[box.dataset.key];
      if (!figure) return;
      window.Plotly.newPlot(box, figure.data, figure.layout,
        {responsive: true, displaylogo: false, locale: locale});
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
