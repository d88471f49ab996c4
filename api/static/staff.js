/*
 * museum-rag staff page: search with filters and facets, object view, unanswered-questions
 * report, and a question box showing the full answer with per-sentence support scores.
 *
 * All record text is untrusted: it is inserted with textContent only. Highlighting splits the
 * text into text nodes and <mark> elements, so nothing in a record is ever parsed as HTML.
 */
(function () {
  "use strict";

  var KEY_STORAGE = "museum-rag-staff-key";
  var $ = function (id) {
    return document.getElementById(id);
  };

  // ------------------------------------------------------------------ helpers

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = String(value);
      else if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function safeUrl(value) {
    if (typeof value !== "string" || !value) return null;
    try {
      var url = new URL(value, window.location.href);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /** Append `text` to `parent` with every occurrence of `terms` wrapped in <mark> (text nodes only). */
  function highlight(parent, text, terms) {
    text = String(text || "");
    var usable = (terms || []).filter(function (t) {
      return typeof t === "string" && t.length > 1;
    });
    if (!usable.length) {
      parent.appendChild(document.createTextNode(text));
      return parent;
    }
    var pattern = new RegExp("(" + usable.map(escapeRegExp).join("|") + ")", "gi");
    var last = 0;
    text.replace(pattern, function (match, _group, offset) {
      if (offset > last) parent.appendChild(document.createTextNode(text.slice(last, offset)));
      parent.appendChild(el("mark", { text: match }));
      last = offset + match.length;
      return match;
    });
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  // ------------------------------------------------------------------ the API key

  function key() {
    return window.sessionStorage.getItem(KEY_STORAGE) || "";
  }

  function showKeyForm(message) {
    $("key-section").hidden = false;
    $("app").hidden = true;
    $("key-state").hidden = true;
    $("key-error").textContent = message || "";
    $("key-input").focus();
  }

  function showApp() {
    $("key-section").hidden = true;
    $("app").hidden = false;
    $("key-state").hidden = false;
  }

  $("key-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var value = $("key-input").value.trim();
    if (!value) return;
    window.sessionStorage.setItem(KEY_STORAGE, value);
    $("key-input").value = "";
    api("/v1/search")
      .then(function (data) {
        showApp();
        renderFacets(data.facets);
        $("search-status").textContent = data.total_records + " records in the collection.";
        $("q").focus();
      })
      .catch(function () {});
  });

  $("forget-key").addEventListener("click", function () {
    window.sessionStorage.removeItem(KEY_STORAGE);
    showKeyForm("Key forgotten.");
  });

  function ApiError(status, detail) {
    this.status = status;
    this.detail = detail;
  }

  /** GET/POST JSON with the staff key; a 401/403 brings back the key form. */
  function api(path, body) {
    var init = { headers: { Authorization: "Bearer " + key(), Accept: "application/json" } };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          if (response.ok) return data;
          var detail = (data && data.detail) || "Request failed (" + response.status + ").";
          if (response.status === 401 || response.status === 403) {
            window.sessionStorage.removeItem(KEY_STORAGE);
            showKeyForm(detail);
          }
          throw new ApiError(response.status, detail);
        });
    });
  }

  // ------------------------------------------------------------------ tabs

  var tabs = ["search", "ask", "report"];
  function selectTab(name, focus) {
    tabs.forEach(function (t) {
      var selected = t === name;
      var tab = $("tab-" + t);
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      $("panel-" + t).hidden = !selected;
      if (selected && focus) tab.focus();
    });
    if (name === "report") loadReport();
  }
  tabs.forEach(function (t, i) {
    var tab = $("tab-" + t);
    tab.addEventListener("click", function () {
      selectTab(t, false);
    });
    tab.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "ArrowRight") next = tabs[(i + 1) % tabs.length];
      else if (event.key === "ArrowLeft") next = tabs[(i + tabs.length - 1) % tabs.length];
      else if (event.key === "Home") next = tabs[0];
      else if (event.key === "End") next = tabs[tabs.length - 1];
      if (next) {
        event.preventDefault();
        selectTab(next, true);
      }
    });
  });

  // ------------------------------------------------------------------ search

  var FILTERS = [
    ["museum", "f-museum"],
    ["type", "f-type"],
    ["creator", "f-creator"],
    ["date_from", "f-from"],
    ["date_to", "f-to"],
  ];

  function searchParams() {
    var params = new URLSearchParams();
    var q = $("q").value.trim();
    if (q) params.set("q", q);
    FILTERS.forEach(function (pair) {
      var value = $(pair[1]).value.trim();
      if (value) params.set(pair[0], value);
    });
    return params;
  }

  function setSelectOptions(select, values, current) {
    clear(select);
    select.appendChild(el("option", { value: "", text: "Any" }));
    var present = false;
    values.forEach(function (facet) {
      if (facet.value === current) present = true;
      select.appendChild(el("option", { value: facet.value, text: facet.value + " (" + facet.count + ")" }));
    });
    if (current && !present) select.appendChild(el("option", { value: current, text: current }));
    select.value = current || "";
  }

  var FACET_TITLES = { museum: "Museum", type: "Type", creators: "Creators" };
  var FACET_FILTER = { museum: "f-museum", type: "f-type", creators: "f-creator" };

  function renderFacets(facets) {
    facets = facets || {};
    setSelectOptions($("f-museum"), facets.museum || [], $("f-museum").value);
    setSelectOptions($("f-type"), facets.type || [], $("f-type").value);
    var datalist = $("creator-list");
    clear(datalist);
    (facets.creators || []).forEach(function (facet) {
      datalist.appendChild(el("option", { value: facet.value }));
    });
    var box = $("facets");
    clear(box);
    Object.keys(FACET_TITLES).forEach(function (name) {
      var values = facets[name] || [];
      var list = el("ul", { className: "facet-list" });
      values.forEach(function (facet) {
        var button = el("button", { type: "button", className: "facet", "data-facet": name, "data-value": facet.value }, [
          el("span", { className: "facet-value", text: facet.value }),
          el("span", { className: "facet-count", text: String(facet.count) }),
        ]);
        button.addEventListener("click", function () {
          $(FACET_FILTER[name]).value = facet.value;
          runSearch();
        });
        list.appendChild(el("li", null, [button]));
      });
      box.appendChild(el("section", { className: "facet-group", "aria-label": FACET_TITLES[name] + " facet counts" }, [
        el("h2", { text: FACET_TITLES[name] }),
        values.length ? list : el("p", { className: "muted", text: "none" }),
      ]));
    });
  }

  function renderResults(data) {
    var list = $("results");
    clear(list);
    data.results.forEach(function (result) {
      var title = el("button", { type: "button", className: "result-title", text: result.title });
      title.addEventListener("click", function () {
        openObject(result.record_id, title);
      });
      var meta = [result.record_id, result.type, result.date, (result.creators || []).join(", "), result.museum]
        .filter(Boolean)
        .join(" · ");
      var snippets = el("ul", { className: "snippets" });
      (result.snippets || []).forEach(function (snippet) {
        var text = highlight(el("span", { className: "snippet-text" }), snippet.text, data.terms);
        snippets.appendChild(el("li", { className: "snippet" }, [el("span", { className: "field-tag", text: snippet.field }), " ", text]));
      });
      list.appendChild(
        el("li", { className: "result", "data-record-id": result.record_id }, [
          el("h3", null, [title]),
          el("p", { className: "meta", text: meta + " · score " + Number(result.score).toFixed(4) }),
          snippets,
        ])
      );
    });
  }

  function runSearch() {
    var params = searchParams();
    $("search-status").textContent = "Searching…";
    return api("/v1/search?" + params.toString())
      .then(function (data) {
        renderFacets(data.facets);
        renderResults(data);
        var what = data.query ? data.results.length + " objects shown" : "Type a query to search";
        $("search-status").textContent = what + " · " + data.total_records + " records match the filters.";
      })
      .catch(function (error) {
        $("search-status").textContent = error.detail || "Search failed.";
      });
  }

  $("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    runSearch();
  });
  $("clear-filters").addEventListener("click", function () {
    FILTERS.forEach(function (pair) {
      $(pair[1]).value = "";
    });
    runSearch();
  });

  // ------------------------------------------------------------------ object view

  var returnFocus = null;
  var RECORD_FIELDS = [
    "id", "title", "museum", "accession_number", "date", "type", "object_name", "technique", "dimensions",
    "description", "did_you_know", "provenance", "inscriptions", "credit_line", "location", "url", "image_url",
  ];

  function display(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value.map(display).filter(Boolean).join("; ");
    if (typeof value === "object") return value.display || value.name || JSON.stringify(value);
    return String(value);
  }

  var RIGHTS_PARTS = [["metadata", "Metadata"], ["text", "Text"], ["image", "Image"]];

  /** The rights of the record's metadata, text and image: each label linked to its URI when there is one. */
  function rightsList(rights) {
    var dl = el("dl", { className: "record rights" });
    RIGHTS_PARTS.forEach(function (part) {
      var value = rights && rights[part[0]];
      var label = (value && (value.label || value.uri)) || "Rights not stated";
      var dd = el("dd", { "data-rights": part[0] });
      var link = value && safeUrl(value.uri);
      if (link) dd.appendChild(el("a", { href: link, target: "_blank", rel: "noopener noreferrer", text: label }));
      else dd.textContent = label;
      dl.appendChild(el("dt", { text: part[1] }));
      dl.appendChild(dd);
    });
    return dl;
  }

  function openObject(recordId, opener) {
    returnFocus = opener || document.activeElement;
    api("/v1/objects/" + encodeURIComponent(recordId))
      .then(function (data) {
        var record = data.record || {};
        $("object-title").textContent = display(record.title) || recordId;
        var body = $("object-body");
        clear(body);
        var image = safeUrl(record.image_url);
        if (image) {
          var img = el("img", { className: "object-image", src: image, alt: "", referrerpolicy: "no-referrer" });
          img.addEventListener("error", function () {
            img.remove();
          });
          body.appendChild(img);
        }
        var dl = el("dl", { className: "record" });
        var fields = RECORD_FIELDS.concat(["creators", "keywords", "license"]);
        fields.forEach(function (name) {
          var value = name === "license" && record.license ? record.license.statement || record.license.text || record.license.metadata : record[name];
          var text = display(value);
          if (!text) return;
          var dd = el("dd");
          var link = (name === "url" || name === "image_url") && safeUrl(text);
          if (link) dd.appendChild(el("a", { href: link, target: "_blank", rel: "noopener noreferrer", text: text }));
          else dd.textContent = text;
          dl.appendChild(el("dt", { text: name.replace(/_/g, " ") }));
          dl.appendChild(dd);
        });
        body.appendChild(el("h3", { text: "Record" }));
        body.appendChild(dl);
        body.appendChild(el("h3", { text: "Rights" }));
        body.appendChild(rightsList(data.rights || (data.chunks[0] && data.chunks[0].rights) || record.rights));
        body.appendChild(el("h3", { text: "Chunks (" + data.chunks.length + ")" }));
        var chunks = el("ol", { className: "chunks", start: "0" });
        data.chunks.forEach(function (chunk) {
          chunks.appendChild(
            el("li", null, [
              el("p", { className: "meta", text: chunk.field + " [" + chunk.start + ", " + chunk.end + ")" }),
              el("p", { className: "chunk-text", text: chunk.text }),
            ])
          );
        });
        body.appendChild(chunks);
        $("object-view").hidden = false;
        $("object-close").focus();
      })
      .catch(function (error) {
        $("search-status").textContent = error.detail || "Could not open the object.";
      });
  }

  function closeObject() {
    $("object-view").hidden = true;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }
  $("object-close").addEventListener("click", closeObject);
  $("object-view").addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closeObject();
    }
    if (event.key === "Tab") {
      // keep focus inside the dialog
      var focusable = $("object-view").querySelectorAll("button, a[href]");
      if (!focusable.length) return;
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });

  // ------------------------------------------------------------------ ask, with support scores

  var STATUS_TEXT = { answered: "Answered", abstained: "Abstained: the records do not answer this", corrected: "Corrected a false premise" };

  function citationList(items, title) {
    if (!items || !items.length) return null;
    var list = el("ol", { className: "citations" });
    items.forEach(function (c) {
      var href = safeUrl(c.url);
      var name = href ? el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: c.title }) : el("span", { text: c.title });
      var open = el("button", { type: "button", className: "link-button", text: c.record_id });
      open.addEventListener("click", function () {
        openObject(c.record_id, open);
      });
      list.appendChild(
        el("li", { value: c.n > 0 ? String(c.n) : null }, [
          name, " (", open, ", ", c.field, " [" + c.start + ", " + c.end + "), score " + Number(c.score).toFixed(3) + ")",
          el("blockquote", { text: c.quote }),
        ])
      );
    });
    return el("section", { className: "citation-section" }, [el("h3", { text: title }), list]);
  }

  function renderAnswer(answer) {
    var box = $("ask-result");
    clear(box);
    box.appendChild(el("p", { className: "answer-status status-" + answer.status, "data-status": answer.status, text: STATUS_TEXT[answer.status] || answer.status }));
    box.appendChild(el("p", { className: "answer-text", text: answer.text }));
    if (answer.sentences && answer.sentences.length) {
      var table = el("table", { className: "support" }, [
        el("caption", { text: "Support of each sentence by its cited sources" }),
        el("thead", null, [el("tr", null, [el("th", { scope: "col", text: "Sentence" }), el("th", { scope: "col", text: "Cites" }), el("th", { scope: "col", text: "Support" })])]),
      ]);
      var tbody = el("tbody");
      answer.sentences.forEach(function (s) {
        var pct = Math.round(Number(s.support) * 100);
        var meter = el("meter", { min: "0", max: "1", value: String(s.support), "aria-label": "support " + pct + "%" });
        tbody.appendChild(
          el("tr", { className: pct >= 50 ? "supported" : "weak" }, [
            el("td", { text: s.text }),
            el("td", { text: (s.citation_ids || []).map(function (n) { return "[" + n + "]"; }).join(" ") }),
            el("td", { className: "support-cell" }, [meter, " " + pct + "%"]),
          ])
        );
      });
      table.appendChild(tbody);
      box.appendChild(table);
    }
    var cited = citationList(answer.citations, "Sources");
    if (cited) box.appendChild(cited);
    var suggested = citationList(answer.suggestions, "Closest objects");
    if (suggested) box.appendChild(suggested);
    var timings = Object.keys(answer.timings || {})
      .map(function (k) {
        return k + " " + Number(answer.timings[k]).toFixed(3) + " s";
      })
      .join(" · ");
    box.appendChild(el("p", { className: "meta", text: "mode " + answer.mode + (timings ? " · " + timings : "") + " · retrieved " + (answer.retrieved_ids || []).join(", ") }));
  }

  $("ask-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var question = $("ask-input").value.trim();
    if (!question) return;
    $("ask-status").textContent = "Answering…";
    api("/v1/ask", { question: question })
      .then(function (answer) {
        $("ask-status").textContent = "Done.";
        renderAnswer(answer);
      })
      .catch(function (error) {
        $("ask-status").textContent = error.detail || "The question could not be answered.";
      });
  });

  // ------------------------------------------------------------------ unanswered report

  function loadReport() {
    $("report-status").textContent = "Loading…";
    api("/v1/reports/unanswered?limit=100")
      .then(function (data) {
        var table = $("report-table");
        var body = table.querySelector("tbody");
        clear(body);
        data.items.forEach(function (item) {
          body.appendChild(
            el("tr", null, [
              el("td", { text: item.question }),
              el("td", { text: String(item.count) }),
              el("td", { text: new Date(item.last_asked * 1000).toLocaleString() }),
            ])
          );
        });
        table.hidden = !data.items.length;
        $("report-status").textContent = data.items.length ? data.items.length + " distinct questions." : "No unanswered questions yet.";
      })
      .catch(function (error) {
        $("report-status").textContent = error.detail || "Could not load the report.";
      });
  }
  $("report-refresh").addEventListener("click", loadReport);

  // ------------------------------------------------------------------ start

  if (key()) {
    showApp();
    runSearch();
  } else {
    showKeyForm("");
  }
})();
