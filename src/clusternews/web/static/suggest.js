// Progressive enhancement: the pickers work without this; with it, their lists follow typing.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = "/suggest?type=" + encodeURIComponent(input.dataset.suggest) +
          "&q=" + encodeURIComponent(input.value);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (rows) {
            list.replaceChildren.apply(list, rows.map(function (row) {
              var option = document.createElement("option");
              option.value = row.name;  // textContent/value, never HTML
              option.label = row.name + " (" + row.items + ")";
              return option;
            }));
            list.dataset.loadedFor = input.value;
          })
          .catch(function () { /* the plain datalist stays */ });
      }, 120);
    });
  });
})();
