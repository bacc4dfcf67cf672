// Refreshes the board every minute without a blank flash: the new page is
// fetched first and swapped in only when it arrived. If the server is away,
// the last data stays and a small "updating" mark shows.
(function () {
  "use strict";
  var PERIOD = 60000;
  function refresh() {
    fetch(window.location.href, { cache: "no-store", headers: { "Accept": "text/html" } })
      .then(function (res) {
        if (!res.ok) { throw new Error("status " + res.status); }
        return res.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html");
        var fresh = next.querySelector("main");
        var clock = next.querySelector(".clock");
        if (fresh) { document.querySelector("main").replaceWith(fresh); }
        if (clock) { document.querySelector(".clock").replaceWith(clock); }
        document.body.classList.remove("stale");
      })
      .catch(function () { document.body.classList.add("stale"); });
  }
  window.setInterval(refresh, PERIOD);
})();
