// pol site: search over articles and rules, from the index pol site wrote (assets/search-index.js).
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  var index = window.POL_SEARCH_INDEX || [];
  if (!input || !list) return;
  var root = (document.querySelector('link[rel="stylesheet"]').getAttribute("href") || "").replace(/assets\/site\.css$/, "");

  function matches(entry, words) {
    var hay = (entry.title + " " + entry.document + " " + entry.text).toLowerCase();
    return words.every(function (word) { return hay.indexOf(word) >= 0; });
  }

  function show() {
    var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) return;
    var found = index.filter(function (entry) { return matches(entry, words); }).slice(0, 30);
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = "没有找到";
      list.appendChild(none);
      return;
    }
    found.forEach(function (entry) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = entry.kind + " · " + entry.document;
      var link = document.createElement("a");
      link.href = root + entry.url;
      link.textContent = entry.title;
      item.appendChild(kind);
      item.appendChild(link);
      list.appendChild(item);
    });
  }

  input.form.addEventListener("submit", function (event) { event.preventDefault(); show(); });
  input.addEventListener("input", show);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; show(); }
  });
}());
