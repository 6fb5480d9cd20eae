/* Township → village: a select[data-places-for] narrows the named village select to the
 * chosen township's group (without script the villages stay grouped by township). */
(function () {
  "use strict";
  document.querySelectorAll("select[data-places-for]").forEach(function (township) {
    var village = document.querySelector("select[name=" + township.dataset.placesFor + "]");
    if (!village) return;
    function narrow() {
      village.querySelectorAll("optgroup").forEach(function (group) {
        var shown = !township.value || group.dataset.township === township.value;
        group.hidden = !shown;
        group.disabled = !shown;
      });
      var chosen = village.selectedOptions[0];
      if (chosen && chosen.parentNode.disabled) village.value = "";
    }
    var chosen = village.selectedOptions[0];
    if (chosen && chosen.parentNode.dataset && chosen.parentNode.dataset.township) {
      township.value = chosen.parentNode.dataset.township;
    }
    township.addEventListener("change", narrow);
    narrow();
  });
})();
