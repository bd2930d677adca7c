// Accessible names for what the Django admin leaves unnamed (axe "label" rules): select2, the
// autocomplete widget, hides the labelled <select> behind a combobox of its own named only
// by the current choice (nothing for an empty row), and a tabular inline's first header
// cell is empty. Runs after the admin's own scripts and again for rows added later.
(function () {
  "use strict";

  function nameOf(select) {
    var named = select.getAttribute("aria-label");
    if (named) return named;
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameSelect2(select) {
    var name = nameOf(select);
    var container = select.nextElementSibling;
    if (!name || !container || !container.classList.contains("select2")) return;
    var nameId = select.id + "-accessible-name";
    if (!document.getElementById(nameId)) {
      var span = document.createElement("span");
      span.id = nameId;
      span.hidden = true;
      span.textContent = name;
      container.appendChild(span);
    }
    function apply() {
      container.querySelectorAll('[role="combobox"]').forEach(function (box) {
        var shown = box.querySelector(".select2-selection__rendered");
        var ids = [nameId];
        if (shown && shown.id) ids.push(shown.id);
        if (box.getAttribute("aria-labelledby") !== ids.join(" ")) {
          box.setAttribute("aria-labelledby", ids.join(" "));
        }
      });
      container.querySelectorAll(".select2-selection__rendered[role]").forEach(function (shown) {
        if (shown.getAttribute("aria-label") !== name) shown.setAttribute("aria-label", name);
      });
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (field.getAttribute("aria-label") !== name) field.setAttribute("aria-label", name);
      });
    }
    apply();
    // select2 redraws its search field whenever the choice changes.
    new MutationObserver(apply).observe(container, { childList: true, subtree: true });
  }

  function label(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(nameSelect2);
    // The search icons of the two-list filter carry a name on a plain <span>.
    root.querySelectorAll(".help-tooltip.search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
    root.querySelectorAll("thead th.original").forEach(function (cell) {
      if (!cell.textContent.trim()) {
        var text = document.createElement("span");
        text.className = "visually-hidden";
        text.textContent = "Saved row";
        cell.appendChild(text);
      }
    });
  }

  window.addEventListener("load", function () {
    label(document);
  });
  document.addEventListener("formset:added", function (event) {
    // Let the admin initialise the new row's widgets first.
    window.setTimeout(function () {
      label(event.target);
    }, 0);
  });
})();
