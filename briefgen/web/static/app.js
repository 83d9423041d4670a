/* briefgen serve: the editor's small helpers. Pages work without this file for reading. */
(function () {
  "use strict";
  var text = null, box = null, query = null, list = null, caret = 0, timer = null;

  function lineStart(value, line) {
    var at = 0;
    for (var n = 1; n < line; n++) {
      var next = value.indexOf("\n", at);
      if (next < 0) { return value.length; }
      at = next + 1;
    }
    return at;
  }

  /* A finding's "line N" button puts the cursor on that line, at its column. */
  function goTo(line, col) {
    var at = Math.min(lineStart(text.value, line) + Math.max(col - 1, 0), text.value.length);
    text.focus();
    text.setSelectionRange(at, at);
    var lines = text.value.slice(0, at).split("\n").length;
    var height = parseFloat(getComputedStyle(text).lineHeight) || 20;
    text.scrollTop = Math.max((lines - 3) * height, 0);
  }

  function changed() {
    text.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function insert(snippet) {
    text.focus();
    text.setRangeText(snippet, caret, caret, "end");
    caret = text.selectionStart;
    changed();
  }

  function openSearch() {
    caret = text.selectionStart;
    box.hidden = false;
    query.value = "";
    suggest();
    query.focus();
  }

  function closeSearch() {
    box.hidden = true;
    text.focus();
    text.setSelectionRange(caret, caret);
  }

  function suggest() {
    fetch("/library/suggest?q=" + encodeURIComponent(query.value), { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { list.innerHTML = html; })
      .catch(function () {});
  }

  function setUp() {
    text = document.getElementById("text");
    if (!text) { return; }
    box = document.getElementById("cite-box");
    query = document.getElementById("cite-q");
    list = document.getElementById("cite-results");
    text.addEventListener("input", function (event) {
      var at = text.selectionStart;
      if (event.inputType && text.value.slice(at - 2, at) === "[@") { openSearch(); }
    });
    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
    query.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeSearch(); }
      if (event.key === "ArrowDown") {
        var first = list.querySelector("button");
        if (first) { first.focus(); event.preventDefault(); }
      }
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeSearch(); }
    });
    document.getElementById("cite-close").addEventListener("click", closeSearch);
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-key]");
      if (!button) { return; }
      box.hidden = true;
      insert(button.getAttribute("data-key") + "]");
    });
    var quote = document.getElementById("quote-insert");
    if (quote) {
      quote.addEventListener("click", function () {
        caret = text.selectionStart;
        insert(quote.getAttribute("data-text"));
      });
    }
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button.goto");
      if (button) {
        goTo(parseInt(button.getAttribute("data-line"), 10), parseInt(button.getAttribute("data-col"), 10));
      }
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
