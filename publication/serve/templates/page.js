// The set's page while it is made: ask how far it is every second, and show the news
// (the page again, drawn by the server) when the state or the count changes.
(function () {
  "use strict";
  var set = document.getElementById("set");
  if (!set) { return; }
  var key = set.getAttribute("data-key");
  function poll() {
    fetch("/sets/" + key + "/state", {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        var bar = document.getElementById("bar");
        if (bar && state.total) { bar.max = state.total; bar.value = state.done; }
        if (state.state !== set.getAttribute("data-state") ||
            String(state.done) !== set.getAttribute("data-done")) {
          window.location.reload();
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
}());
