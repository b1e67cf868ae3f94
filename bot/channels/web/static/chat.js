// Patenbot web chat: sends without reload and shows new messages (server-sent events).
// The page works without this script; nothing here builds HTML from text (textContent only).
(function () {
  "use strict";

  var log = document.getElementById("chat-log");
  var composer = document.getElementById("composer");
  var input = document.getElementById("message");
  var alertBox = document.getElementById("chat-alert");
  var alertText = document.getElementById("chat-alert-text");
  if (!log || !composer || !input) {
    return;
  }
  var pageLanguage = document.documentElement.getAttribute("data-language");
  var seen = {};
  var lastId = Number(log.getAttribute("data-last-id") || "0");
  log.querySelectorAll(".chat-message").forEach(function (item) {
    seen[item.getAttribute("data-id")] = true;
  });
  var events = null;
  var busy = false;

  function label(role) {
    return log.getAttribute("data-who-" + role) || "";
  }

  function removeChoices() {
    log.querySelectorAll(".chat-choices").forEach(function (form) {
      form.remove();
    });
  }

  function choicesForm(message) {
    var form = document.createElement("form");
    form.className = "chat-choices";
    form.method = "post";
    form.action = "/button";
    form.setAttribute("data-chat-form", "");
    var set = document.createElement("fieldset");
    set.className = "chat-choices__set";
    var legend = document.createElement("legend");
    legend.className = "kern-sr-only";
    legend.lang = document.documentElement.lang;
    legend.dir = document.documentElement.dir;
    legend.textContent = log.getAttribute("data-choices-label") || "";
    set.appendChild(legend);
    message.choices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "kern-btn kern-btn--secondary";
      button.name = "token";
      button.value = choice.token;
      var span = document.createElement("span");
      span.className = "kern-label";
      span.textContent = choice.title;
      button.appendChild(span);
      set.appendChild(button);
    });
    form.appendChild(set);
    return form;
  }

  function show(message) {
    if (seen[String(message.id)]) {
      return null;
    }
    seen[String(message.id)] = true;
    if (message.id > lastId) {
      lastId = message.id;
    }
    if (message.role === "user") {
      removeChoices();
    }
    var item = document.createElement("li");
    item.className = "chat-message chat-message--" + message.role;
    item.lang = message.lang;
    item.dir = message.dir;
    item.setAttribute("data-id", String(message.id));
    var name = document.createElement("span");
    name.className = "chat-message__who";
    name.lang = document.documentElement.lang;
    name.dir = document.documentElement.dir;
    name.textContent = label(message.role);
    var text = document.createElement("p");
    text.className = "chat-message__text";
    text.textContent = message.text;
    item.appendChild(name);
    item.appendChild(text);
    if (message.choices && message.choices.length) {
      item.appendChild(choicesForm(message));
    }
    log.appendChild(item);
    return item;
  }

  function showAlert(text, lang, dir) {
    if (!alertBox || !alertText) {
      return;
    }
    alertText.textContent = text;
    alertText.lang = lang || "";
    alertText.dir = dir || "";
    alertBox.hidden = !text;
  }

  function listen() {
    if (events || !window.EventSource) {
      return;
    }
    events = new EventSource("/events?after=" + lastId);
    events.addEventListener("message", function (event) {
      var item = show(JSON.parse(event.data));
      if (item) {
        item.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function focusAfterTurn() {
    var choice = log.querySelector(".chat-choices button");
    (choice || input).focus();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-chat-form")) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    busy = true;
    composer.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        var body = result.body;
        if (!result.ok) {
          showAlert(body.error, body.lang, body.dir);
          input.focus();
          return;
        }
        showAlert("");
        if (body.erased) {
          if (events) {
            events.close();
            events = null;
          }
          while (log.firstChild) {
            log.removeChild(log.firstChild);
          }
        }
        if (form === composer) {
          input.value = "";
        }
        body.messages.forEach(show);
        if (body.language && body.language !== pageLanguage && !body.erased) {
          // The page's own texts follow the conversation's language.
          window.sessionStorage.setItem("patenbot-focus", "1");
          window.location.reload();
          return;
        }
        if (!body.erased) {
          listen();
          // The conversation exists now: "start the chat" becomes "choose language".
          document.querySelectorAll("[data-label-later]").forEach(function (button) {
            button.querySelector(".kern-label").textContent =
              button.getAttribute("data-label-later");
          });
        }
        var last = log.lastElementChild;
        if (last) {
          last.scrollIntoView({ block: "nearest" });
        }
        focusAfterTurn();
      })
      .catch(function () {
        form.submit();
      })
      .finally(function () {
        busy = false;
        composer.removeAttribute("aria-busy");
      });
  });

  if (log.getAttribute("data-conversation") === "yes") {
    listen();
  }
  if (window.sessionStorage.getItem("patenbot-focus")) {
    window.sessionStorage.removeItem("patenbot-focus");
    focusAfterTurn();
  }
})();
