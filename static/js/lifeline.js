// Small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  function enhance(root) {
    // Selects marked data-autosubmit submit their form on change (filters); marked
    // data-autosubmit="pointer" (the language switcher), only on a choice made with a mouse or a finger:
    // a keyboard user arrowing through the options changes nothing until they press the form's button
    // (WCAG 3.2.2), which is there for them and for pages without this file.
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.enhanced) return;
      select.dataset.enhanced = "1";
      var pointer = false;
      select.addEventListener("pointerdown", function () { pointer = true; });
      select.addEventListener("keydown", function () { pointer = false; });
      select.addEventListener("change", function () {
        if (select.dataset.autosubmit === "pointer" && !pointer) return;
        if (select.form.requestSubmit) select.form.requestSubmit();
        else select.form.submit();
      });
    });
  }

  // A text box with a length limit: the browser would cut a longer paste silently at the limit, so the
  // limit moves to data-limit and a count under the box (includes/char_count.html) shows from 80% of it,
  // saying when the text is too long to save; the server refuses it with the text kept.
  function count(box) {
    var limit = parseInt(box.dataset.limit, 10), used = box.value.length, over = used > limit;
    var shown = box.countElement;
    shown.hidden = used < limit * 0.8;
    shown.classList.toggle("char-count--over", over);
    shown.firstChild.textContent = over ? shown.dataset.over : shown.dataset.used;
    shown.firstChild.className = over ? "" : "visually-hidden";
    shown.lastChild.textContent = used + " / " + limit;
  }

  function limitCounters(root) {
    var words = document.getElementById("char-count");
    if (!words) return;
    root.querySelectorAll("textarea[maxlength]:not([readonly])").forEach(function (box) {
      if (box.dataset.limit) return;
      box.dataset.limit = box.getAttribute("maxlength");
      box.removeAttribute("maxlength");
      var shown = document.createElement("p");
      shown.className = "char-count";
      shown.id = (box.id || "box-" + Math.random().toString(36).slice(2)) + "-count";
      shown.dataset.used = words.dataset.used;
      shown.dataset.over = words.dataset.over;
      shown.appendChild(document.createElement("span"));
      shown.appendChild(document.createTextNode(" "));
      shown.appendChild(document.createElement("bdi"));
      box.insertAdjacentElement("afterend", shown);
      box.countElement = shown;
      var described = box.getAttribute("aria-describedby");
      box.setAttribute("aria-describedby", (described ? described + " " : "") + shown.id);
      box.addEventListener("input", function () { count(box); });
      count(box);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); limitCounters(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.detail.elt); limitCounters(event.detail.elt); });

})();

// After an htmx swap, focus and announcements follow the swapped content.
// Focus: when it was inside the swapped region (or nowhere, on <body>) it goes to the first field with an
// error in the new content; else to the element the template marks with data-focus-after-swap; else it
// stays where htmx put it back (an element with the same id, like the button that was used); else to
// the new region itself. Announcements: a role="status" that arrives with new content is a new node,
// which screen readers do not read out; its text is copied into #announcer, which stays on the page.
(function () {
  "use strict";
  var swap = null;
  var FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

  function connected(el) { return !!el && el.nodeType === 1 && el.isConnected; }

  function find(roots, selector) {
    for (var i = 0; i < roots.length; i++) {
      var root = roots[i];
      if (!connected(root) || !root.matches) continue;
      var found = root.matches(selector) ? root : root.querySelector(selector);
      if (found) return found;
    }
    return null;
  }

  function focus(el) {
    if (el.matches("fieldset")) el = el.querySelector("input:checked, input, select, textarea") || el;
    if (!el.matches(FOCUSABLE)) el.setAttribute("tabindex", "-1");
    el.focus();
  }

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) return;
    // Emptied first, so the same words said twice in a row are read twice.
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 100);
  }

  // The control that was used, before htmx disables it for the request (data-hx-disabled-elt), which
  // drops its focus to <body>.
  var used = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    used = active && active !== document.body ? active.id : null;
  });

  // Content that loads by itself (data-hx-trigger="load": the customer's timeline after its page) was not
  // asked for by the person: it takes neither the focus nor the scroll.
  function byItself(detail) {
    var source = detail.elt || (detail.requestConfig && detail.requestConfig.elt);
    var trigger = source && source.getAttribute ? source.getAttribute("data-hx-trigger") || source.getAttribute("hx-trigger") : "";
    return /^\s*(load|revealed|intersect)\b/.test(trigger || "");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target, active = document.activeElement;
    if (!target) return;
    swap = {
      byItself: byItself(event.detail),
      target: target,
      used: active && active !== document.body ? active.id : used,
      lastChild: target.lastElementChild,
      parent: target.parentElement,
      inside: !active || active === document.body || target.contains(active),
      oob: [],
      roots: []
    };
    var current = swap;
    // htmx swaps in this same task; what follows runs once it is done (afterSwap may not fire at all
    // when the answer is empty).
    setTimeout(function () { settle(current); }, 0);
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (swap) swap.oob.push(event.target);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (!swap || swap.oob.indexOf(event.target) !== -1 || swap.roots.indexOf(event.target) !== -1) return;
    var root = event.target;
    // Appended content (beforeend, "load more"): only what is new, not the whole list.
    if (root === swap.target && swap.lastChild && swap.lastChild.parentNode === root) {
      for (var el = swap.lastChild.nextElementSibling; el; el = el.nextElementSibling) swap.roots.push(el);
    } else {
      swap.roots.push(root);
    }
    // Silence the new status regions in this same task, before assistive technology sees them, and say
    // their words once through the region that stays.
    var words = [];
    swap.roots.forEach(function (r) {
      if (!r.querySelectorAll) return;
      var found = Array.prototype.slice.call(r.querySelectorAll("[role=status]"));
      if (r.matches("[role=status]")) found.unshift(r);
      found.forEach(function (status) {
        if (status.getAttribute("aria-live") === "off") return;
        status.setAttribute("aria-live", "off");
        var text = status.textContent.replace(/\s+/g, " ").trim();
        if (text) words.push(text);
      });
    });
    if (words.length) announce(words.join(" "));
  });

  function settle(current) {
    if (current.done) return;
    current.done = true;
    if (swap === current) swap = null;
    if (current.byItself) return;
    var active = document.activeElement;
    var lost = !active || active === document.body || !active.isConnected;
    if (!current.inside && !lost) return;
    var roots = current.roots.filter(connected);
    var el = find(roots, '[aria-invalid="true"], fieldset.field--error') || find(roots, "[data-focus-after-swap]");
    if (el) return focus(el);
    if (!lost) return;  // htmx put focus back on an element with the same id
    el = current.used && document.getElementById(current.used);
    if (el) return focus(el);
    el = roots[0] || (connected(current.target) ? current.target : null) || (connected(current.parent) ? current.parent : null);
    if (el) focus(el);
  }
})();

// A message sent with an htmx answer, or saying a request failed, closes with its button, or with
// Escape. While it is shown over the page's foot, the page keeps its height clear (scroll-padding), so
// a focused control is never under it.
(function () {
  "use strict";
  function notice() { return document.querySelector(".messages--notice"); }
  function fit() {
    var shown = notice();
    var height = shown && shown.querySelector(".message") ? shown.getBoundingClientRect().height + 16 : 0;
    document.documentElement.style.scrollPaddingBlockEnd = height ? height + "px" : "";
  }
  function close(message) {
    var wasFocused = message.contains(document.activeElement);
    message.remove();
    var shown = notice();
    if (shown && !shown.querySelector(".message")) shown.remove();
    fit();
    if (wasFocused) document.getElementById("main").focus();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-dismiss]");
    if (button) close(button.closest(".message"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented || !notice()) return;
    notice().querySelectorAll(".message").forEach(close);
  });
  document.addEventListener("htmx:afterSettle", fit);

  // An htmx request with no answer to show says so in the same notice (includes/request_failed.html),
  // in the page's language; #messages is a status region, so it is also read out.
  function failed(kind) {
    var template = document.getElementById("request-failed"), messages = document.getElementById("messages");
    if (!template || !messages) return;
    messages.innerHTML = template.innerHTML;
    messages.querySelector("[data-text]").textContent = template.dataset[kind];
    fit();
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    failed(status === 503 ? "busy" : status >= 500 ? "server" : "refused");
  });
  document.addEventListener("htmx:sendError", function () { failed("offline"); });
  document.addEventListener("focusin", function (event) {
    var shown = notice();
    if (!shown || !shown.querySelector(".message") || shown.contains(event.target)) return;
    if (event.target.getBoundingClientRect().bottom > shown.getBoundingClientRect().top) {
      event.target.scrollIntoView({ block: "nearest" });
    }
  });
})();

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
  // Back to the search box, ready for the next pick: on a list of several picks an arrow key would
  // select one pick in place of them all.
  picker.querySelector("[data-picker-search]").focus();
});

// The picker from the keyboard: Down goes from the search box into the suggestions, Up and Down move
// between them, Escape goes back to the box. Enter in the box picks the only suggestion, or goes into
// several, instead of sending the whole form (a story half written, a filter with nothing chosen). A list
// drawn for other text than the box holds now (typed on since) is never chosen from: it is being replaced.
document.addEventListener("keydown", function (event) {
  if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  var target = event.target;
  var picker = target.closest && target.closest(".autocomplete");
  if (!picker) return;
  var search = picker.querySelector("[data-picker-search]");
  var choices = Array.prototype.slice.call(picker.querySelectorAll(".autocomplete-results [data-pick-value]"));
  if (!choices.length) return;
  var at = choices.indexOf(target);
  if (target === search && (event.key === "ArrowDown" || event.key === "Enter")) {
    event.preventDefault();
    if (choices[0].dataset.pickFor !== search.value) return;
    if (event.key === "Enter" && choices.length === 1) choices[0].click();
    else choices[0].focus();
  } else if (at !== -1 && event.key === "ArrowDown") {
    event.preventDefault();
    choices[Math.min(at + 1, choices.length - 1)].focus();
  } else if (at !== -1 && event.key === "ArrowUp") {
    event.preventDefault();
    (at === 0 ? search : choices[at - 1]).focus();
  } else if (at !== -1 && event.key === "Escape") {
    event.preventDefault();
    search.focus();
  }
});

// A list of picks keeps them all under the arrow keys (a native multiple <select> would select only
// the next one, dropping the others without a word); Ctrl or ⌘ with Space or a click still unpicks one.
document.addEventListener("keydown", function (event) {
  var select = event.target;
  if (!select.matches || !select.matches(".autocomplete select[multiple]")) return;
  if (["ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"].indexOf(event.key) === -1) return;
  if (event.ctrlKey || event.metaKey) return;  // moves the focus between options without selecting
  event.preventDefault();
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
