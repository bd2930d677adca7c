// Django admin widgets drawn by JavaScript, named for assistive technology (axe-core finds
// them unnamed): select2 autocompletes get their field's label, and the filter_horizontal
// widget's help icon (a span with aria-label) gets the role that permits one. Runs after
// Django's own "load" handlers and again whenever the admin adds rows (inlines).
(function () {
  "use strict";
  function labelFor(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    var text = label ? label.textContent.replace(/[:*]\s*$/, "").trim() : "";
    if (!text && select.closest) {
      // An inline row: the column's header names it.
      var cell = select.closest("td");
      var table = cell && cell.closest("table");
      if (table && table.tHead) {
        var header = table.tHead.rows[0].cells[cell.cellIndex];
        text = header ? header.textContent.trim() : "";
      }
    }
    return text;
  }
  function name() {
    document.querySelectorAll("select.admin-autocomplete, select[data-autocomplete-light-url], select.select2-hidden-accessible").forEach(function (select) {
      var container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) {
        return;
      }
      var text = labelFor(select);
      if (!text) {
        return;
      }
      container.querySelectorAll(".select2-selection, .select2-selection__rendered, .select2-search__field").forEach(function (el) {
        if (!el.getAttribute("aria-label")) {
          el.setAttribute("aria-label", text);
        }
      });
    });
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (el) {
      el.setAttribute("role", "img");
    });
  }
  window.addEventListener("load", function () {
    setTimeout(name, 0);
    if (window.MutationObserver) {
      new MutationObserver(function () {
        name();
      }).observe(document.body, { childList: true, subtree: true });
    }
  });
})();
