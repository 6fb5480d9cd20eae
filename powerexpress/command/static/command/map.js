// The power map: Leaflet (shipped with the django-leaflet package) on a plain background, points
// at their WGS-84 coordinates; an optional tile layer when the bureau runs its own map server.
(function () {
  var COLORS = {normal: "#27ae60", heavy: "#e67e22", overload: "#c0392b", unknown: "#95a5a6"};
  // Line-loss classes: high red, negative amber, qualified green, cannot be computed / stopped grey.
  var LOSS_COLORS = {high: "#c0392b", negative: "#e67e22", qualified: "#27ae60", uncomputable: "#95a5a6", stopped: "#5d6d7e"};

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function popup(item, kind, labels, revealUrl) {
    var html = "<div class='map-popup'><strong>" + esc(item.code) + " " + esc(item.name) + "</strong><dl>";
    html += "<dt>" + esc(labels.station) + "</dt><dd>" + esc(item.station) + "</dd>";
    if (item.households != null) html += "<dt>" + esc(labels.households) + "</dt><dd>" + esc(item.households) + "</dd>";
    if (item.rated_kva != null) html += "<dt>" + esc(labels.rated) + "</dt><dd>" + esc(item.rated_kva) + "</dd>";
    if (item.risk) html += "<dt>" + esc(labels.risk) + "</dt><dd>" + esc(labels[item.risk] || item.risk) + "</dd>";
    if (item.loss) {
      html += "<dt>" + esc(labels.loss) + " " + esc(item.loss.month) + "</dt><dd class='loss-" + esc(item.loss["class"]) + "'>" + esc(item.loss.label);
      if (item.loss.rate_pct != null) html += " " + esc(item.loss.rate_pct.toFixed(1)) + "%";
      html += "</dd>";
    }
    html += "<dt>" + esc(labels.responsible) + "</dt><dd>" + esc(item.responsible || "—") + "</dd>";
    html += "<dt>" + esc(labels.phone) + "</dt><dd><span class='phone'>" + esc(item.phone || "—") + "</span>";
    if (revealUrl && item.phone) {
      var target = kind === "hazard" ? ["hazard", item.code] : kind === "ticket" ? ["ticket", item.code] : ["village", item.village_code || item.code];
      html += " <button type='button' class='link reveal' data-url='" + esc(revealUrl.replace("KIND", target[0]).replace("CODE", target[1])) + "'>" + esc(labels.show) + "</button>";
    }
    html += "</dd></dl>";
    if (item.url) html += "<a href='" + esc(item.url) + "'>" + esc(labels.open) + " ›</a>";
    return html + "</div>";
  }

  function spread(items) {
    // Districts share their village's coordinates: lay them on a small ring so each can be clicked.
    var seen = {};
    items.forEach(function (item) {
      if (!item.point) return;
      var key = item.point.join(",");
      (seen[key] = seen[key] || []).push(item);
    });
    Object.keys(seen).forEach(function (key) {
      var group = seen[key];
      if (group.length < 2) return;
      group.forEach(function (item, k) {
        var angle = 2 * Math.PI * k / group.length;
        item.point = [item.point[0] + 0.004 * Math.sin(angle), item.point[1] + 0.005 * Math.cos(angle)];
      });
    });
  }

  function csrf() {
    var match = document.cookie.match(/csrftoken=([^;]+)/);
    return match ? match[1] : "";
  }

  function draw(box, data) {
    var labels = JSON.parse(box.dataset.labels);
    var map = window.L.map(box, {attributionControl: false});
    if (box.dataset.tiles) window.L.tileLayer(box.dataset.tiles, {maxZoom: 18}).addTo(map);
    var bounds = [];
    var layers = {};
    function add(name, items, style, hidden) {
      var group = window.L.layerGroup();
      items.forEach(function (item) {
        if (!item.point) return;
        var marker = window.L.circleMarker(item.point, style(item));
        marker.bindPopup(popup(item, item.kind || name, labels, box.dataset.reveal));
        marker.bindTooltip(esc(item.name));
        marker.options.code = item.code;
        marker.addTo(group);
        bounds.push(item.point);
      });
      if (!hidden) group.addTo(map);
      layers[labels[name]] = group;
    }
    if (data.outlines && data.outlines.length) {
      var outlines = window.L.geoJSON(data.outlines.map(function (o) {
        return {type: "Feature", properties: {name: o.name}, geometry: o.geometry};
      }), {style: {color: "#7f8c8d", weight: 1, fillOpacity: 0.03}, interactive: false}).addTo(map);
      layers[labels.outlines] = outlines;
      outlines.eachLayer(function (layer) { bounds.push(layer.getBounds().getCenter()); });
    }
    spread(data.transformers);
    add("villages", data.villages, function () { return {radius: 7, color: "#2c3e50", fillColor: "#2c3e50", fillOpacity: 0.35, weight: 1}; });
    add("transformers", data.transformers, function (t) { var c = COLORS[t.risk] || COLORS.unknown; return {radius: t.risk === "normal" ? 4 : 6, color: c, fillColor: c, fillOpacity: 0.9, weight: 1, className: "risk-" + t.risk}; });
    // A ring round each district with a computed month, coloured by its latest line-loss class (the
    // fill stays the load risk); off at first.
    add("lineloss", data.transformers.filter(function (t) { return t.loss; }), function (t) { var c = LOSS_COLORS[t.loss["class"]] || LOSS_COLORS.uncomputable; return {radius: 8, color: c, fillColor: c, fillOpacity: 0.08, weight: 3, className: "loss-" + t.loss["class"]}; }, true);
    add("incidents", data.incidents, function () { return {radius: 10, color: "#8e44ad", fill: false, weight: 3}; });
    add("hazards", data.hazards, function () { return {radius: 5, color: "#b7950b", fillColor: "#f1c40f", fillOpacity: 1, weight: 1}; });
    window.L.control.layers(null, layers, {collapsed: false}).addTo(map);
    window.L.control.scale({imperial: false}).addTo(map);
    if (bounds.length) map.fitBounds(bounds, {padding: [20, 20]});
    else { map.setView([27.2, 108.9], 10); box.insertAdjacentHTML("beforeend", "<div class='map-empty'>" + esc(labels.empty) + "</div>"); }
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button.reveal");
      if (!button) return;
      fetch(button.dataset.url, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrf()}})
        .then(function (r) { return r.json(); })
        .then(function (body) { button.parentNode.querySelector(".phone").textContent = body.phone; button.remove(); });
    });
    window.powerMap = map;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("power-map");
    if (!box || !window.L) return;
    fetch(box.dataset.url, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) { draw(box, data); });
  });
})();
