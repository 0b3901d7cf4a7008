// Small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  function enhance(root) {
    // Selects marked data-autosubmit submit their form on change (language switcher, filters).
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.enhanced) return;
      select.dataset.enhanced = "1";
      select.addEventListener("change", function () {
        if (select.form.requestSubmit) select.form.requestSubmit();
        else select.form.submit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.detail.elt); });

  // After htmx swaps a region that asks for it, move focus there so screen readers follow.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
    }
  });
})();

// A message sent with an htmx answer closes with its button.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-dismiss]");
  if (button) button.closest(".message").remove();
});

// Customer picker: choosing a search result selects it in the plain <select> beside it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-pick-value]");
  if (!button) return;
  var select = document.getElementById(button.dataset.pickField);
  if (!select) return;
  var option = Array.prototype.find.call(select.options, function (o) { return o.value === button.dataset.pickValue; });
  if (!option) {
    option = new Option(button.dataset.pickLabel, button.dataset.pickValue);
    select.add(option);
    if (select.multiple) select.size = Math.max(2, Math.min(select.options.length, 8));
  }
  option.selected = true;
  // Clear the search first: a filter form submits on "change", and the search text is only for finding.
  var picker = button.closest(".autocomplete");
  picker.querySelector("[data-picker-search]").value = "";
  picker.querySelector(".autocomplete-results").innerHTML = "";
  select.dispatchEvent(new Event("change", { bubbles: true }));
  select.focus();
});

// The listener brief's print button: shown only where it can work (the page prints without it too).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});

// Copy buttons (data-copy="id of a read-only field"): shown only where this script runs; without it
// the address is still there to select and copy.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    var status = button.parentElement.querySelector("[role=status]");
    navigator.clipboard.writeText(field.value).then(function () {
      if (status) status.textContent = button.dataset.copied;
    }, function () {
      field.select();
    });
  });
})();

// Forms that destroy something ask first (data-confirm="the question"). Without this script they
// submit at once, as a plain form does.
document.addEventListener("submit", function (event) {
  var form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);

// A second click on a form's button while the page is on its way (a slow network) would save the
// same note, comment or story twice: a form posts once, then again only after a few seconds (a file
// download leaves the page where it is) or when the page is shown again from the back button.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || form.method !== "post" || form.hasAttribute("data-hx-post")) return;
  if (form.dataset.posting) { event.preventDefault(); return; }
  form.dataset.posting = "1";
  setTimeout(function () { delete form.dataset.posting; }, 4000);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-posting]").forEach(function (form) { delete form.dataset.posting; });
});

// On a phone the sections scroll sideways in one row: bring the current one into view.
document.addEventListener("DOMContentLoaded", function () {
  var current = document.querySelector(".primary-nav [aria-current=page]");
  var row = current && current.closest("ul");
  if (row && row.scrollWidth > row.clientWidth) {
    var box = current.getBoundingClientRect(), frame = row.getBoundingClientRect();
    if (box.left < frame.left || box.right > frame.right) current.scrollIntoView({ block: "nearest", inline: "center" });
  }
});
