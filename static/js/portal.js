// Progressive enhancement for every page (loaded in <head>, so the class lands before the
// first paint): `js-enabled` lets the CSS fold the header menu behind a "Menu" button on
// small screens; without JavaScript the menu's links are simply always shown.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js-enabled");
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector("[data-menu-toggle]");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  });
})();
