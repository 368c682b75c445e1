/* <input data-kept-key>: a form's submission key that the browser fills in again on 后退 along with what was
   typed. The page comes back from the server with a new key, and a browser restores only a field whose value is
   not the one the page came with; so the key becomes such a value here. Without this script the key still stops a
   double tap, but 后退 and sending again makes a second one. */
(function () {
  "use strict";
  document.querySelectorAll("input[data-kept-key]").forEach(function (key) {
    var value = key.value; // the page's key, or the one restored on 后退
    key.defaultValue = "";
    key.value = value;
  });
})();
