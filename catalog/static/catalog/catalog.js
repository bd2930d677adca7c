// Catalog filters: on small screens the filter panel starts folded so results come first;
// on wide screens it is always open (its summary is hidden by CSS there).
// With htmx loaded, filters and sort apply as they change, so their buttons are hidden
// (`htmx-ready`); without it they stay, and the forms submit as plain GETs.
(function () {
  "use strict";
  if (window.htmx) {
    document.documentElement.classList.add("htmx-ready");
  }
  var panel = document.querySelector("[data-collapse-on-small-screens]");
  if (!panel || !window.matchMedia) {
    return;
  }
  var small = window.matchMedia("(max-width: 820px)");
  var hasErrors = document.getElementById("filter-errors") !== null;
  function apply() {
    if (small.matches && !hasErrors) {
      panel.removeAttribute("open");
    } else {
      panel.setAttribute("open", "");
    }
  }
  apply();
  if (small.addEventListener) {
    small.addEventListener("change", apply);
  }
})();
