/*!
 * museum-rag chat widget: answers from the museum's own records, with their sources.
 *
 * Add it to any page with one tag (no build step):
 *
 *   <script src="https://collection-api.example.org/static/widget.js"
 *           data-endpoint="https://collection-api.example.org" defer></script>
 *
 * Optional attributes: data-title (the launcher and panel title), data-intro (one line under
 * the title), data-open="true" (start open), data-placeholder.
 * The API must list the page's origin in MUSEUM_RAG_CORS_ORIGINS when it is on another host.
 *
 * Everything received is untrusted text: it is only ever inserted with textContent, and
 * links and images are used only when they are http(s) URLs.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.MuseumRagWidget) {
    return;
  }

  var scriptUrl = new URL(script.src, window.location.href);
  var endpoint = (script.getAttribute("data-endpoint") || scriptUrl.origin).replace(/\/+$/, "");
  var options = {
    title: script.getAttribute("data-title") || "Ask about the collection",
    intro:
      script.getAttribute("data-intro") ||
      "Answers come only from the museum's records, with their sources. If the records don't say, I'll tell you.",
    placeholder: script.getAttribute("data-placeholder") || "e.g. Who made the portrait of Man Ray?",
    open: script.getAttribute("data-open") === "true",
  };

  var STATUS_LABELS = {
    answered: "Answer",
    abstained: "Not in our records",
    corrected: "Correction",
  };

  // ------------------------------------------------------------------ DOM helpers (text only)

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = String(value);
        else if (name === "className") node.className = value;
        else node.setAttribute(name, value === true ? "" : String(value));
      });
    }
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  /** The URL when it is http(s), else null (a record's "javascript:" link must never become a link). */
  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function str(value) {
    return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
  }

  // ------------------------------------------------------------------ styles

  if (!document.querySelector("link[data-mrw-style]")) {
    document.head.appendChild(
      el("link", { rel: "stylesheet", href: new URL("widget.css", scriptUrl).href, "data-mrw-style": "" })
    );
  }

  // ------------------------------------------------------------------ the widget

  var root = el("div", { className: "mrw-root", "data-state": "closed" });
  var launcher = el("button", {
    type: "button",
    className: "mrw-launcher",
    "aria-expanded": "false",
    "aria-controls": "mrw-panel",
    text: options.title,
  });
  var closeButton = el("button", { type: "button", className: "mrw-close", "aria-label": "Close the chat", text: "×" });
  var log = el("div", {
    className: "mrw-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation",
    tabindex: "0",
  });
  var status = el("p", { className: "mrw-status", role: "status", "aria-live": "polite" });
  var input = el("textarea", {
    id: "mrw-input",
    className: "mrw-input",
    rows: "2",
    maxlength: "500",
    placeholder: options.placeholder,
    "aria-describedby": "mrw-hint",
  });
  var submit = el("button", { type: "submit", className: "mrw-submit", text: "Ask" });
  var form = el("form", { className: "mrw-form", novalidate: true }, [
    el("label", { for: "mrw-input", className: "mrw-visually-hidden", text: "Your question" }),
    input,
    submit,
    el("p", { id: "mrw-hint", className: "mrw-visually-hidden", text: "Press Enter to ask, Shift+Enter for a new line." }),
  ]);
  var panel = el(
    "section",
    { id: "mrw-panel", className: "mrw-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "mrw-title", hidden: true },
    [
      el("header", { className: "mrw-header" }, [el("h2", { id: "mrw-title", className: "mrw-title", text: options.title }), closeButton]),
      el("p", { className: "mrw-intro", text: options.intro }),
      log,
      status,
      form,
    ]
  );
  root.appendChild(launcher);
  root.appendChild(panel);

  var busy = false;

  function open() {
    panel.hidden = false;
    root.setAttribute("data-state", "open");
    launcher.setAttribute("aria-expanded", "true");
    input.focus();
  }

  function close() {
    panel.hidden = true;
    root.setAttribute("data-state", "closed");
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open();
    else close();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var question = input.value.trim();
    if (!question || busy) return;
    input.value = "";
    ask(question);
  });

  function setBusy(value, message) {
    busy = value;
    submit.disabled = value;
    submit.setAttribute("aria-disabled", value ? "true" : "false");
    status.textContent = message || "";
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** Follow the answer as it grows, but never scroll its beginning out of view. */
  function reveal(node) {
    var end = log.scrollHeight - log.clientHeight;
    var top = log.scrollTop + node.getBoundingClientRect().top - log.getBoundingClientRect().top - 8;
    log.scrollTop = Math.max(0, Math.min(end, top));
  }

  // ------------------------------------------------------------------ messages

  function addQuestion(question) {
    log.appendChild(
      el("div", { className: "mrw-msg mrw-msg-user" }, [el("span", { className: "mrw-visually-hidden", text: "You asked: " }), question])
    );
    scrollToEnd();
  }

  function AnswerView() {
    this.node = el("article", { className: "mrw-msg mrw-msg-answer", "aria-busy": "true", "aria-label": "Answer" });
    this.badge = el("p", { className: "mrw-badge", hidden: true });
    this.text = el("p", { className: "mrw-text" });
    this.node.appendChild(this.badge);
    this.node.appendChild(this.text);
    log.appendChild(this.node);
    reveal(this.node);
  }

  AnswerView.prototype.setStatus = function (answerStatus) {
    if (!STATUS_LABELS[answerStatus]) return;
    this.node.classList.add("mrw-status-" + answerStatus);
    this.node.setAttribute("data-status", answerStatus);
    if (answerStatus !== "answered") {
      this.badge.textContent = STATUS_LABELS[answerStatus];
      this.badge.hidden = false;
    }
  };

  AnswerView.prototype.append = function (text) {
    this.text.appendChild(document.createTextNode(str(text)));
    reveal(this.node);
  };

  AnswerView.prototype.cards = function (heading, items, className, numbered) {
    if (!items || !items.length) return;
    var byRecord = [];
    var seen = {};
    items.forEach(function (item) {
      var key = str(item.record_id);
      if (seen[key]) {
        seen[key].numbers.push(item.n);
        return;
      }
      seen[key] = { item: item, numbers: [item.n] };
      byRecord.push(seen[key]);
    });
    var list = el("ul", { className: "mrw-cards " + className });
    byRecord.forEach(function (entry) {
      list.appendChild(el("li", { className: "mrw-card-item" }, [card(entry.item, numbered ? entry.numbers : [])]));
    });
    this.node.appendChild(el("h3", { className: "mrw-cards-title", text: heading }));
    this.node.appendChild(list);
    reveal(this.node);
  };

  function card(item, numbers) {
    var href = safeUrl(item.url);
    var image = safeUrl(item.image_url);
    var body = [];
    if (image) {
      var img = el("img", { className: "mrw-thumb", src: image, alt: "", loading: "lazy", decoding: "async", referrerpolicy: "no-referrer" });
      img.addEventListener("error", function () {
        img.remove();
      });
      body.push(img);
    }
    var label = numbers
      .filter(function (n) {
        return typeof n === "number" && n > 0;
      })
      .map(function (n) {
        return "[" + n + "]";
      })
      .join(" ");
    var info = el("span", { className: "mrw-card-info" }, [
      label ? el("span", { className: "mrw-card-n", text: label }) : null,
      el("span", { className: "mrw-card-title", text: str(item.title) }),
      item.museum ? el("span", { className: "mrw-card-museum", text: str(item.museum) }) : null,
      item.quote ? el("q", { className: "mrw-card-quote", text: str(item.quote), lang: item.lang ? str(item.lang) : null }) : null,
      href ? el("span", { className: "mrw-card-link", text: "View this object on the museum's site" }) : null,
    ]);
    body.push(info);
    if (href) {
      return el("a", { className: "mrw-card", href: href, target: "_blank", rel: "noopener noreferrer" }, body);
    }
    return el("div", { className: "mrw-card" }, body);
  }

  AnswerView.prototype.rating = function (answerId) {
    if (!answerId) return;
    var group = el("div", { className: "mrw-rating", role: "group", "aria-label": "Was this answer helpful?" }, [
      el("span", { className: "mrw-rating-label", text: "Helpful?" }),
    ]);
    var buttons = [
      ["up", "Yes", "This answer was helpful"],
      ["down", "No", "This answer was not helpful"],
    ].map(function (spec) {
      var button = el("button", { type: "button", className: "mrw-rate mrw-rate-" + spec[0], "aria-pressed": "false", "aria-label": spec[2], text: spec[1] });
      button.addEventListener("click", function () {
        rate(answerId, spec[0], buttons, button);
      });
      group.appendChild(button);
      return button;
    });
    this.node.appendChild(group);
  };

  AnswerView.prototype.finish = function () {
    this.node.setAttribute("aria-busy", "false");
    reveal(this.node);
  };

  AnswerView.prototype.fail = function (message) {
    this.node.classList.add("mrw-status-error");
    this.node.setAttribute("data-status", "error");
    this.badge.textContent = "Sorry";
    this.badge.hidden = false;
    this.text.textContent = message;
    this.node.setAttribute("role", "alert");
    this.finish();
  };

  function rate(answerId, rating, buttons, pressed) {
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", b === pressed ? "true" : "false");
    });
    fetch(endpoint + "/v1/feedback", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ answer_id: answerId, rating: rating }),
    })
      .then(function (response) {
        status.textContent = response.ok ? "Thank you for your feedback." : "Your feedback could not be saved.";
      })
      .catch(function () {
        status.textContent = "Your feedback could not be saved.";
      });
  }

  // ------------------------------------------------------------------ the conversation

  function problemMessage(response, body) {
    var detail = body && typeof body.detail === "string" ? body.detail : "";
    if (response.status === 429) {
      var wait = response.headers.get("Retry-After");
      return "You have asked many questions in a short time. Please try again" + (wait ? " in " + wait + " seconds." : " shortly.");
    }
    if (response.status === 422 && detail) return detail;
    return "The question could not be answered right now (error " + response.status + "). Please try again.";
  }

  /** The answer is in the question's language; the page's <html lang> decides when the question is too short to
   * tell, and data-lang on the script tag forces a language. */
  function askBody(question) {
    var body = { question: question };
    var pageLang = document.documentElement.getAttribute("lang");
    if (pageLang) body.page_lang = pageLang;
    var forced = script.getAttribute("data-lang");
    if (forced) body.lang = forced;
    return body;
  }

  function ask(question) {
    addQuestion(question);
    var view = new AnswerView();
    setBusy(true, "Searching the museum's records…");
    var finished = false;

    function handle(name, data) {
      if (name === "status") {
        if (data.status) view.setStatus(data.status);
        if (data.stage === "answering") status.textContent = "Answering…";
      } else if (name === "delta") {
        view.append(data.text);
      } else if (name === "citations") {
        view.cards("Sources", data.citations, "mrw-cards-sources", true);
        view.cards("Closest objects in the collection", data.suggestions, "mrw-cards-suggestions", false);
      } else if (name === "done") {
        finished = true;
        if (data.lang) view.text.setAttribute("lang", str(data.lang));
        view.setStatus(data.status);
        view.rating(data.answer_id);
        view.finish();
        setBusy(false, data.status === "abstained" ? "The records don't answer that question." : "Answer complete.");
      } else if (name === "error") {
        finished = true;
        view.fail(str(data.detail) || "The question could not be answered. Please try again.");
        setBusy(false, "");
      }
    }

    fetch(endpoint + "/v1/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(askBody(question)),
    })
      .then(function (response) {
        if (!response.ok) {
          return response
            .json()
            .catch(function () {
              return null;
            })
            .then(function (body) {
              finished = true;
              view.fail(problemMessage(response, body));
              setBusy(false, "");
            });
        }
        return readEvents(response, handle);
      })
      .catch(function () {
        if (!finished) {
          finished = true;
          view.fail("The museum's answering service could not be reached. Please try again later.");
          setBusy(false, "");
        }
      })
      .then(function () {
        if (!finished) {
          view.fail("The answer was interrupted. Please try again.");
          setBusy(false, "");
        }
      });
  }

  /** Parse a text/event-stream body (fetch, since EventSource cannot POST), calling handle(event, data). */
  function readEvents(response, handle) {
    var buffer = "";

    function flush(final) {
      var parts = buffer.split(/\r\n\r\n|\n\n|\r\r/);
      buffer = final ? "" : parts.pop();
      parts.forEach(function (block) {
        var name = "message";
        var data = [];
        block.split(/\r\n|\n|\r/).forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (!data.length) return;
        var parsed;
        try {
          parsed = JSON.parse(data.join("\n"));
        } catch (e) {
          return;
        }
        handle(name, parsed || {});
      });
    }

    if (!response.body || !response.body.getReader) {
      return response.text().then(function (text) {
        buffer = text;
        flush(true);
      });
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          buffer += decoder.decode();
          flush(true);
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        flush(false);
        return pump();
      });
    }
    return pump();
  }

  function mount() {
    document.body.appendChild(root);
    if (options.open) open();
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.MuseumRagWidget = { open: open, close: close, ask: function (q) { open(); ask(String(q)); } };
})();
