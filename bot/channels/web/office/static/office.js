// The console's small script: the navigation's counts stay current (server-sent events),
// a new notification is announced politely, and the error summary takes the focus.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  if (!window.EventSource) { return; }
  var live = document.getElementById("office-live");
  var known = null;
  var source = new EventSource("/office/events");
  source.addEventListener("counts", function (event) {
    var counts = JSON.parse(event.data);
    Object.keys(counts).forEach(function (key) {
      var badge = document.querySelector('[data-count="' + key + '"]');
      if (badge) { badge.textContent = String(counts[key]); }
    });
    if (known !== null && counts.notifications > known && live) {
      live.textContent = live.getAttribute("data-template").replace("{count}", String(counts.notifications));
    }
    known = counts.notifications;
  });
  source.onerror = function () {
    // A 401 (session over) closes the stream for good; the next click shows the login.
    if (source.readyState === EventSource.CLOSED) { source.close(); }
  };
}());
