// The console's small script: the navigation's counts stay current (server-sent events),
// a new notification is announced politely, and the error summary takes the focus.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  if (!window.EventSource) { return; }
  // An open handoff's page shows the person's new messages as they come.
  var log = document.getElementById("handoff-log");
  if (log) {
    var conversation = new EventSource(log.getAttribute("data-events"));
    conversation.addEventListener("message", function (event) {
      var message = JSON.parse(event.data);
      var item = document.createElement("li");
      item.className = "office-message office-message--" + (message.role === "office" ? "office" : "user");
      var meta = document.createElement("p");
      meta.className = "kern-body office-note__meta";
      meta.textContent = message.meta;
      var text = document.createElement("p");
      text.className = "kern-body office-note__text";
      text.textContent = message.text;
      item.appendChild(meta);
      item.appendChild(text);
      log.appendChild(item);
      var empty = document.getElementById("no-messages");
      if (empty) { empty.hidden = true; }
    });
    conversation.addEventListener("ended", function () { conversation.close(); });
    conversation.onerror = function () {
      if (conversation.readyState === EventSource.CLOSED) { conversation.close(); }
    };
  }
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
