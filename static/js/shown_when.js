/* <div data-shown-when="NAME=VALUE">: shown only while the field NAME (a select, or radios) has VALUE. The page
   decides what shows without this script (everything, or what was sent), so it still works without it. */
(function () {
  "use strict";
  document.querySelectorAll("[data-shown-when]").forEach(function (part) {
    var rule = part.getAttribute("data-shown-when").split("=");
    var fields = document.querySelectorAll('[name="' + rule[0] + '"]');
    function value() {
      var chosen = "";
      fields.forEach(function (field) {
        if (field.type !== "radio" || field.checked) { chosen = field.value; }
      });
      return chosen;
    }
    function update() { part.hidden = value() !== rule[1]; }
    fields.forEach(function (field) { field.addEventListener("change", update); });
    update();
  });
})();
