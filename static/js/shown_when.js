/* <div data-shown-when="NAME=VALUE" hidden>: shown while the radio NAME has VALUE checked (and its inputs sent
   only then). The server shows it too once that value was sent, so a page without this script still works. */
(function () {
  "use strict";
  document.querySelectorAll("[data-shown-when]").forEach(function (part) {
    var rule = part.getAttribute("data-shown-when").split("=");
    var radios = document.querySelectorAll('input[type="radio"][name="' + rule[0] + '"]');
    function update() {
      var chosen = document.querySelector('input[type="radio"][name="' + rule[0] + '"]:checked');
      part.hidden = !(chosen && chosen.value === rule[1]);
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
})();
