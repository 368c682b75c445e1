/* <select data-narrowed-by="NAME">: offers the leading options (不指定, 请选择…) and only the options whose data-unit
   is the value chosen in the select NAME of the same form: the officers of the unit chosen above, not the
   county's. Nothing chosen above offers every group. Without this script every group shows, and the server
   refuses an officer of another unit. */
(function () {
  "use strict";
  document.querySelectorAll("select[data-narrowed-by]").forEach(function (select) {
    var by = select.form.querySelector('[name="' + select.getAttribute("data-narrowed-by") + '"]');
    if (!by) { return; }
    var all = Array.prototype.slice.call(select.children);

    function belongs(node, unit) {
      if (node.tagName !== "OPTGROUP") { return !node.hasAttribute("data-unit"); }
      var first = node.querySelector("option");
      return !unit || (first !== null && first.getAttribute("data-unit") === unit);
    }

    function narrow() {
      var kept = select.value;
      select.replaceChildren.apply(select, all.filter(function (node) { return belongs(node, by.value); }));
      select.value = kept;
      if (select.value !== kept) { select.selectedIndex = 0; }
    }

    by.addEventListener("change", narrow);
    // Not at once but on pageshow: on 后退 to this page the browser puts back the unit and officer chosen before
    // only after this script has run, without a change event. Narrowed at once, the list kept the first unit's
    // officers under the restored unit (and lost the restored officer); narrowed once both are back, it follows.
    window.addEventListener("pageshow", narrow);
  });
})();
