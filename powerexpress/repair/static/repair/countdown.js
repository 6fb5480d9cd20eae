/* Live countdown for every element with data-due (ISO time): "1:23:45 left" / "overdue 0:05:00". */
(function () {
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    return Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var ms = Date.parse(el.getAttribute("data-due")) - now;
      var warn = parseInt(el.getAttribute("data-warn-min") || "15", 10) * 60000;
      el.textContent = ms < 0 ? el.getAttribute("data-overdue") + " " + fmt(ms) : fmt(ms) + " " + el.getAttribute("data-left");
      el.className = "badge countdown " + (ms < 0 ? "red" : ms < warn ? "amber" : "green");
    });
  }
  tick();
  setInterval(tick, 1000);
})();
