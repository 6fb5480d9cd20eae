// Per-phase load curve of a transformer district, drawn with the bundled plotly and its Chinese
// locale (core/plotly-locale-zh-cn.js; no CDN).
(function () {
  function draw(box, data) {
    var labels = JSON.parse(box.dataset.labels);
    if (!data.ts || data.ts.length === 0) {
      box.textContent = box.dataset.noData;
      return;
    }
    var vmin = data.v_a.map(function (v, k) { return Math.min(v, data.v_b[k], data.v_c[k]); });
    var traces = [
      {x: data.ts, y: data.i_a, name: labels.a, line: {color: "#d4a017"}},
      {x: data.ts, y: data.i_b, name: labels.b, line: {color: "#2e8b57"}},
      {x: data.ts, y: data.i_c, name: labels.c, line: {color: "#c0392b"}},
      {x: data.ts, y: data.s_kva, name: labels.s, yaxis: "y2", line: {color: "#34495e", dash: "dot"}},
      {x: [data.ts[0], data.ts[data.ts.length - 1]], y: [data.rated_kva, data.rated_kva], name: labels.rated,
       yaxis: "y2", mode: "lines", line: {color: "#7f8c8d", dash: "dash"}},
      {x: data.ts, y: vmin, name: labels.v, yaxis: "y3", visible: "legendonly", line: {color: "#8e44ad"}}
    ];
    var layout = {margin: {t: 10, r: 60, l: 50, b: 40}, legend: {orientation: "h"},
      yaxis: {title: {text: "A"}}, yaxis2: {title: {text: "kVA"}, overlaying: "y", side: "right"},
      yaxis3: {overlaying: "y", side: "right", position: 1, visible: false}};
    var locale = document.documentElement.lang.indexOf("zh") === 0 ? "zh-CN" : "en";
    window.Plotly.react(box, traces, layout, {responsive: true, displaylogo: false, locale: locale});
  }
  function load() {
    var form = document.getElementById("curve-form");
    var box = document.getElementById("curve");
    if (!form || !box) return;
    var query = new URLSearchParams(new FormData(form)).toString();
    fetch(form.dataset.url + "?" + query, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { draw(box, data); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("curve-form");
    if (form) form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
    load();
  });
})();
