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
    // whole words only: a term never matches inside a word ("war" does not mark "Edward")
    var pattern = new RegExp("(?<![\\p{L}\\p{N}])(" + usable.map(escapeRegExp).join("|") + ")(?![\\p{L}\\p{N}])", "giu");
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
        renderResults(data);
        $("search-status").textContent = data.total_records + " records in the collection: type a query, or choose a filter to list its records.";
        $("q").focus();
      })
      .catch(function () {});
  });

  /** On the demo server (make demo), the staff key is shown on the page; nowhere else. */
  function showDemoKey() {
    fetch("/staff/demo-key", { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : {};
      })
      .then(function (data) {
        if (!data || typeof data.key !== "string" || !data.key) return;
        $("demo-key-value").textContent = data.key;
        $("demo-key").hidden = false;
      })
      .catch(function () {});
  }

  $("use-demo-key").addEventListener("click", function () {
    $("key-input").value = $("demo-key-value").textContent;
    $("key-form").requestSubmit();
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
    ["sort", "f-sort"],
  ];
  var PAGE_SIZE = 20;
  var offset = 0;

  function searchParams() {
    var params = new URLSearchParams();
    var q = $("q").value.trim();
    if (q) params.set("q", q);
    FILTERS.forEach(function (pair) {
      var value = $(pair[1]).value.trim();
      if (value && !(pair[0] === "sort" && value === "relevance")) params.set(pair[0], value);
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

  // The creators facet split by role (makers, sitters, others: rag/data/facet_roles.json on the server).
  var FACET_TITLES = { museum: "Museum", type: "Type", makers: "Makers", sitters: "Sitters", others: "Other creators" };
  var FACET_FILTER = { museum: "f-museum", type: "f-type", creators: "f-creator", makers: "f-creator", sitters: "f-creator", others: "f-creator" };

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
    var byRole = ["makers", "sitters", "others"].some(function (name) {
      return (facets[name] || []).length;
    });
    var titles = byRole ? FACET_TITLES : { museum: "Museum", type: "Type", creators: "Creators" };  // an older store: no roles
    Object.keys(titles).forEach(function (name) {
      var values = facets[name] || [];
      var list = el("ul", { className: "facet-list" });
      values.forEach(function (facet) {
        var button = el("button", { type: "button", className: "facet", "data-facet": name, "data-value": facet.value }, [
          el("span", { className: "facet-value", text: facet.value }),
          el("span", { className: "facet-count", text: String(facet.count) }),
        ]);
        button.addEventListener("click", function () {
          $(FACET_FILTER[name]).value = facet.value;
          runSearch(0);
        });
        list.appendChild(el("li", null, [button]));
      });
      if (!values.length && (name === "others" || name === "sitters")) return;
      box.appendChild(el("section", { className: "facet-group", "aria-label": titles[name] + " facet counts" }, [
        el("h2", { text: titles[name] }),
        values.length ? list : el("p", { className: "muted", text: "none" }),
      ]));
    });
  }

  function renderResults(data) {
    var list = $("results");
    clear(list);
    (data.results || []).forEach(function (result) {
      var title = el("button", { type: "button", className: "result-title", text: result.title });
      title.addEventListener("click", function () {
        openObject(result.record_id, title);
      });
      var creators = (result.creator_roles && result.creator_roles.length ? result.creator_roles : result.creators || []).join("; ");
      var meta = [result.record_id, result.type, result.date, creators, result.museum].filter(Boolean).join(" · ");
      var snippets = el("ul", { className: "snippets" });
      (result.snippets || []).forEach(function (snippet) {
        var text = highlight(el("span", { className: "snippet-text" }), snippet.text, data.terms);
        snippets.appendChild(el("li", { className: "snippet" }, [el("span", { className: "field-tag", text: snippet.field }), " ", text]));
      });
      var children = [];
      var image = safeUrl(result.thumbnail_url) || safeUrl(result.image_url);
      if (image) {
        var img = el("img", { className: "result-thumb", src: image, alt: "", loading: "lazy", referrerpolicy: "no-referrer" });
        img.addEventListener("error", function () {
          img.remove();
        });
        children.push(img);
      }
      children.push(
        el("div", { className: "result-body" }, [
          el("h3", null, [title]),
          el("p", { className: "meta", text: meta + (data.query ? " · score " + Number(result.score).toFixed(4) : "") }),
          snippets,
        ])
      );
      list.appendChild(el("li", { className: "result", "data-record-id": result.record_id }, children));
    });
    renderPager(data);
  }

  function renderPager(data) {
    var shown = (data.results || []).length;
    var first = (data.offset || 0) + 1;
    var last = (data.offset || 0) + shown;
    $("page-prev").disabled = !(data.offset > 0);
    $("page-next").disabled = !data.has_more;
    $("page-info").textContent = shown ? "Results " + first + "–" + last + (data.query ? "" : " of " + data.total_results) : "";
  }

  function runSearch(newOffset) {
    offset = typeof newOffset === "number" ? newOffset : 0;
    var params = searchParams();
    params.set("limit", String(PAGE_SIZE));
    if (offset) params.set("offset", String(offset));
    $("search-status").textContent = "Searching…";
    return api("/v1/search?" + params.toString())
      .then(function (data) {
        renderFacets(data.facets);
        renderResults(data);
        var browsing = !data.query;
        var filtered = Object.keys(data.filters || {}).some(function (k) {
          return data.filters[k] !== null && data.filters[k] !== undefined;
        });
        var what;
        if (!browsing) what = data.results.length + " objects shown";
        else if (filtered) what = data.total_results + " records listed";
        else what = "Type a query, or choose a filter to list its records";
        $("search-status").textContent = what + " · " + data.total_records + " records match the filters.";
      })
      .catch(function (error) {
        $("search-status").textContent = error.detail || "Search failed.";
      });
  }

  $("page-prev").addEventListener("click", function () {
    runSearch(Math.max(0, offset - PAGE_SIZE));
  });
  $("page-next").addEventListener("click", function () {
    runSearch(offset + PAGE_SIZE);
  });

  /** Fetch with the staff key and save the body as a file (a plain link could not send the key). */
  function download(path, filename) {
    return fetch(path, { headers: { Authorization: "Bearer " + key() } })
      .then(function (response) {
        if (!response.ok) throw new ApiError(response.status, "Export failed (" + response.status + ").");
        return response.blob();
      })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        var link = el("a", { href: url, download: filename });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 1000);
      });
  }

  ["csv", "json"].forEach(function (format) {
    $("export-" + format).addEventListener("click", function () {
      var params = searchParams();
      params.set("format", format);
      $("search-status").textContent = "Exporting…";
      download("/v1/search/export?" + params.toString(), "museum-rag-search." + format)
        .then(function () {
          $("search-status").textContent = "Exported as " + format.toUpperCase() + ".";
        })
        .catch(function (error) {
          $("search-status").textContent = error.detail || "Export failed.";
        });
    });
  });

  $("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    runSearch(0);
  });
  $("f-sort").addEventListener("change", function () {
    runSearch(0);
  });
  $("clear-filters").addEventListener("click", function () {
    FILTERS.forEach(function (pair) {
      $(pair[1]).value = pair[0] === "sort" ? "relevance" : "";
    });
    runSearch(0);
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

  // ------------------------------------------------------------------ the review report

  var KIND_TEXT = { abstained: "Unanswered", disliked: "Disliked", corrected: "Corrected" };

  function reportParams() {
    var params = new URLSearchParams();
    var kind = $("report-kind").value;
    if (kind) params.set("kind", kind);
    return params;
  }

  function objectLink(recordId, title) {
    var link = el("button", { type: "button", className: "link-button", text: title ? title + " (" + recordId + ")" : recordId });
    link.addEventListener("click", function () {
      openObject(recordId, link);
    });
    return link;
  }

  function handledBox(item) {
    var box = el("input", { type: "checkbox", "aria-label": "Handled: " + item.question });
    box.checked = Boolean(item.handled);
    box.addEventListener("change", function () {
      box.disabled = true;
      api("/v1/reports/handled", { kind: item.kind, normalized: item.normalized, handled: box.checked })
        .then(function () {
          $("report-status").textContent = box.checked ? "Marked handled." : "Marked not handled.";
          box.closest("tr").classList.toggle("handled", box.checked);
        })
        .catch(function (error) {
          box.checked = !box.checked;
          $("report-status").textContent = error.detail || "Could not save the mark.";
        })
        .then(function () {
          box.disabled = false;
        });
    });
    return box;
  }

  function loadReport() {
    $("report-status").textContent = "Loading…";
    var params = reportParams();
    params.set("limit", "200");
    if (!$("report-handled").checked) params.set("include_handled", "false");
    api("/v1/reports/review?" + params.toString())
      .then(function (data) {
        var table = $("report-table");
        var body = table.querySelector("tbody");
        clear(body);
        data.items.forEach(function (item) {
          var objects = el("ul");
          (item.record_ids || []).forEach(function (recordId) {
            objects.appendChild(el("li", null, [objectLink(recordId, (item.titles || {})[recordId])]));
          });
          var comments = (item.comments || []).map(function (c) {
            return el("p", { className: "muted", text: "Comment: " + c });
          });
          body.appendChild(
            el("tr", { className: item.handled ? "handled" : null, "data-kind": item.kind }, [
              el("td", { text: item.question }),
              el("td", { text: String(item.count) }),
              el("td", null, [el("span", { className: "kind kind-" + item.kind, text: KIND_TEXT[item.kind] || item.kind })]),
              el("td", { text: new Date(item.last_asked * 1000).toLocaleString() }),
              el("td", { className: "shown" }, [item.shown || "", item.record_ids && item.record_ids.length ? objects : null].concat(comments)),
              el("td", null, [handledBox(item)]),
            ])
          );
        });
        table.hidden = !data.items.length;
        var objectsTable = $("report-objects");
        var objectsBody = objectsTable.querySelector("tbody");
        clear(objectsBody);
        (data.objects || []).forEach(function (o) {
          objectsBody.appendChild(
            el("tr", { "data-record-id": o.record_id }, [
              el("td", null, [objectLink(o.record_id, o.title)]),
              el("td", { text: String(o.abstained) }),
              el("td", { text: String(o.disliked) }),
              el("td", { text: String(o.corrected) }),
              el("td", { text: String(o.total) }),
            ])
          );
        });
        objectsTable.hidden = !(data.objects || []).length;
        $("report-status").textContent = data.items.length ? data.items.length + " distinct questions." : "Nothing to review yet.";
      })
      .catch(function (error) {
        $("report-status").textContent = error.detail || "Could not load the report.";
      });
  }
  $("report-refresh").addEventListener("click", loadReport);
  $("report-kind").addEventListener("change", loadReport);
  $("report-handled").addEventListener("change", loadReport);
  ["csv", "json"].forEach(function (format) {
    $("report-" + format).addEventListener("click", function () {
      var params = reportParams();
      params.set("format", format);
      download("/v1/reports/review/export?" + params.toString(), "museum-rag-review." + format)
        .then(function () {
          $("report-status").textContent = "Exported as " + format.toUpperCase() + ".";
        })
        .catch(function (error) {
          $("report-status").textContent = error.detail || "Export failed.";
        });
    });
  });

  // ------------------------------------------------------------------ start

  showDemoKey();
  if (key()) {
    showApp();
    runSearch(0);
  } else {
    showKeyForm("");
  }
})();
