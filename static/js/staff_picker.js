/* The topic visit's 参加人员: a search box narrows the ticks to names, posts or units containing what is typed,
   and the legend lists who is ticked, each with their unit (namesakes). Ticked people stay in sight while searching, so a search never hides
   a choice already made. Without this script every tick shows, grouped by unit. */
(function () {
  "use strict";
  document.querySelectorAll("[data-staff-picker]").forEach(function (picker) {
    var filter = picker.querySelector("[data-staff-filter]");
    var picked = picker.querySelector("[data-staff-picked]");
    var none = picker.querySelector("[data-staff-none]");
    var rows = Array.prototype.slice.call(picker.querySelectorAll("[data-staff-text]"));

    function showPicked() {
      var names = rows.filter(function (row) { return row.querySelector("input").checked; })
        .map(function (row) { return row.getAttribute("data-staff-name"); });
      picked.textContent = names.length ? "已选 " + names.length + " 人:" + names.join("、") : "";
    }

    function narrow() {
      var text = filter.value.trim();
      var shown = 0;
      rows.forEach(function (row) {
        var match = !text || row.getAttribute("data-staff-text").indexOf(text) !== -1;
        row.hidden = !(match || row.querySelector("input").checked);
        if (!row.hidden) { shown += 1; }
      });
      picker.querySelectorAll("[data-staff-group]").forEach(function (group) {
        group.hidden = !group.querySelector("[data-staff-text]:not([hidden])");
      });
      none.hidden = shown > 0;
    }

    filter.hidden = false;
    filter.addEventListener("input", narrow);
    picker.addEventListener("change", showPicked);
    showPicked();
  });
})();
