// The application form: appliance lines summed live, inline checks and a draft kept on this device.
(function () {
  "use strict";
  var form = document.getElementById("apply-form");
  if (!form) { return; }
  var msg = form.dataset;
  var rows = document.getElementById("appliance-rows");
  var draftKey = "powerexpress-application-draft-" + msg.kind;
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";

  function kwValue(text) {
    var t = (text || "").trim();
    if (!/^\d+(\.\d{1,3})?$/.test(t) || Number(t) <= 0 || Number(t) > 10000) { return null; }
    return t;
  }
  // Sum in thousandths of a kW (integers), never floating point.
  function milli(text) {
    var parts = text.split(".");
    return parseInt(parts[0], 10) * 1000 + parseInt(((parts[1] || "") + "000").slice(0, 3), 10);
  }
  function showKw(m) {
    var s = String(Math.floor(m / 1000)) + "." + String(1000 + (m % 1000)).slice(1);
    return s.charAt(s.length - 1) === "0" ? s.slice(0, -1) : s;
  }
  function idError(value) {
    var v = value.trim().toUpperCase();
    if (!/^\d{17}[\dX]$/.test(v)) { return msg.msgId; }
    var y = +v.slice(6, 10), m = +v.slice(10, 12), d = +v.slice(12, 14);
    var born = new Date(y, m - 1, d);
    if (y < 1900 || born.getMonth() !== m - 1 || born.getDate() !== d || born > new Date()) { return msg.msgIdBirth; }
    var total = 0;
    for (var i = 0; i < 17; i++) { total += (+v.charAt(i)) * WEIGHTS[i]; }
    return CHECK.charAt(total % 11) === v.charAt(17) ? "" : msg.msgIdCheck;
  }
  var checks = {
    applicant_name: function (v) { return v.trim() ? "" : msg.msgRequired; },
    id_number: idError,
    phone: function (v) { return /^1[3-9]\d{9}$/.test(v.trim()) ? "" : msg.msgPhone; },
    village: function (v) { return v ? "" : msg.msgRequired; },
    address: function (v) { return v.trim() ? "" : msg.msgRequired; },
    requested_kw: function (v) { return kwValue(v) ? "" : msg.msgKw; }
  };
  function setError(name, text) {
    var span = form.querySelector('[data-for="' + name + '"]');
    if (span) { span.textContent = text; span.parentNode.classList.toggle("has-error", !!text); }
  }
  function recompute() {
    var total = 0;
    rows.querySelectorAll(".appliance-row").forEach(function (row) {
      var q = row.querySelector('[name="appliance_quantity"]').value.trim();
      var kw = kwValue(row.querySelector('[name="appliance_kw"]').value);
      if (/^\d+$/.test(q) && kw) { total += parseInt(q, 10) * milli(kw); }
    });
    document.getElementById("connected-kw").textContent = showKw(total);
    var requested = kwValue(form.requested_kw.value);
    var compare = document.getElementById("sum-compare");
    var over = requested !== null && total > milli(requested);
    compare.textContent = requested === null ? "" : (over ? msg.msgOver : msg.msgUnder);
    compare.parentNode.classList.toggle("over", over);
  }
  function lineCheck(input) {
    var bad = input.name === "appliance_kw" ? (input.value.trim() && !kwValue(input.value) ? msg.msgKw : "")
      : input.name === "appliance_quantity" ? (input.value.trim() && !/^[1-9]\d{0,3}$/.test(input.value.trim()) ? msg.msgQuantity : "") : "";
    var errorRow = input.closest("tr").nextElementSibling;
    if (errorRow && errorRow.classList.contains("row-errors")) { errorRow.firstElementChild.textContent = bad; }
  }
  form.addEventListener("input", function (event) {
    if (event.target.name && event.target.name.indexOf("appliance_") === 0) { lineCheck(event.target); }
    recompute();
  });
  form.addEventListener("change", function (event) {
    var check = checks[event.target.name];
    if (check) { setError(event.target.name, check(event.target.value)); }
  });
  function addRow() {
    var first = rows.querySelector(".appliance-row");
    var row = first.cloneNode(true), errs = first.nextElementSibling.cloneNode(true);
    row.querySelectorAll("input").forEach(function (i) { i.value = ""; });
    row.classList.remove("has-error");
    errs.firstElementChild.textContent = "";
    rows.appendChild(row); rows.appendChild(errs);
    return row;
  }
  document.getElementById("add-row").addEventListener("click", function () { addRow().querySelector("input").focus(); });
  rows.addEventListener("click", function (event) {
    if (!event.target.classList.contains("remove-row")) { return; }
    var row = event.target.closest("tr");
    if (rows.querySelectorAll(".appliance-row").length > 1) { row.nextElementSibling.remove(); row.remove(); }
    else { row.querySelectorAll("input").forEach(function (i) { i.value = ""; }); }
    recompute();
  });
  function collect() {
    var data = {fields: {}, lines: [], documents: []};
    ["applicant_name", "id_number", "phone", "village", "address", "requested_kw", "business_name", "purpose",
     "supply_until", "account_no"].forEach(function (n) { if (form[n]) { data.fields[n] = form[n].value; } });
    rows.querySelectorAll(".appliance-row").forEach(function (row) {
      data.lines.push([0, 1, 2].map(function (i) { return row.querySelectorAll("input")[i].value; }));
    });
    form.querySelectorAll('[name="documents"]:checked').forEach(function (c) { data.documents.push(c.value); });
    return data;
  }
  function restore(data) {
    Object.keys(data.fields).forEach(function (n) { if (form[n]) { form[n].value = data.fields[n]; } });
    data.lines.forEach(function (values, index) {
      var row = rows.querySelectorAll(".appliance-row")[index] || addRow();
      row.querySelectorAll("input").forEach(function (input, i) { input.value = values[i] || ""; });
    });
    form.querySelectorAll('[name="documents"]').forEach(function (c) { c.checked = data.documents.indexOf(c.value) >= 0; });
  }
  document.getElementById("save-draft").addEventListener("click", function () {
    try { localStorage.setItem(draftKey, JSON.stringify(collect())); } catch (e) { return; }
    document.getElementById("draft-status").textContent = msg.msgDraftSaved;
  });
  var hasServerValues = !!document.getElementById("form-errors");
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { saved = null; }
  if (saved && !hasServerValues) {
    restore(saved);
    document.getElementById("draft-status").textContent = msg.msgDraftRestored;
  }
  form.addEventListener("submit", function () {
    try { localStorage.removeItem(draftKey); } catch (e) { /* storage may be unavailable */ }
  });
  recompute();
}());
