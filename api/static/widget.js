/*!
 * museum-rag chat widget: answers from the museum's own records, with their sources.
 *
 * Add it to any page with one tag (no build step):
 *
 *   <script src="https://collection-api.example.org/static/widget.js"
 *           data-endpoint="https://collection-api.example.org" defer></script>
 *
 * Optional attributes: data-title (the launcher and panel title), data-intro (one line under
 * the title), data-open="true" (start open), data-placeholder, data-lang (the interface language;
 * default: the page's <html lang>), data-greeting="false" (no greeting and suggested questions).
 * The API must list the page's origin in MUSEUM_RAG_CORS_ORIGINS when it is on another host.
 *
 * Any element of the page with a data-mrw-question attribute asks that question when clicked
 * (e.g. a "Questions to try" list).
 *
 * Every interface string is in STRINGS below, keyed by language: a translation is data, added there.
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

  /** The interface strings, per language (ISO 639-1); a key missing from a language falls back to English. */
  var STRINGS = {
    en: {
      title: "Ask about the collection",
      intro: "Answers come only from the museum's records, with their sources. If the records don't say, I'll tell you.",
      placeholder: "e.g. Who made the portrait of Man Ray?",
      close: "Close the chat",
      conversation: "Conversation",
      yourQuestion: "Your question",
      ask: "Ask",
      hint: "Press Enter to ask, Shift+Enter for a new line.",
      youAsked: "You asked: ",
      answer: "Answer",
      statusAnswered: "Answer",
      statusAbstained: "Not in our records",
      statusCorrected: "Correction",
      sorry: "Sorry",
      sources: "Sources",
      closest: "Closest objects in the collection",
      viewObject: "View this object on the museum's site",
      viewImage: "View the image",
      imageRights: "Image",
      textRights: "Text",
      visitorInfo: "Visitor information",
      tryAsking: "Questions to try",
      helpfulQuestion: "Was this answer helpful?",
      helpful: "Helpful?",
      yes: "Yes",
      no: "No",
      yesLabel: "This answer was helpful",
      noLabel: "This answer was not helpful",
      thanks: "Thank you for your feedback.",
      feedbackFailed: "Your feedback could not be saved.",
      searching: "Searching the museum's records…",
      answering: "Answering…",
      complete: "Answer complete.",
      notAnswered: "The records don't answer that question.",
      tooMany: "You have asked many questions in a short time. Please try again {when}",
      inSeconds: "in {seconds} seconds.",
      shortly: "shortly.",
      failedStatus: "The question could not be answered right now (error {status}). Please try again.",
      failed: "The question could not be answered. Please try again.",
      unreachable: "The museum's answering service could not be reached. Please try again later.",
      interrupted: "The answer was interrupted. Please try again.",
    },
    fr: {
      title: "Questions sur la collection",
      intro: "Les réponses viennent uniquement des fiches du musée, avec leurs sources. Si les fiches ne le disent pas, je vous le dirai.",
      placeholder: "p. ex. Qui a réalisé le portrait de Man Ray ?",
      close: "Fermer la discussion",
      conversation: "Conversation",
      yourQuestion: "Votre question",
      ask: "Demander",
      hint: "Entrée pour envoyer, Maj+Entrée pour un saut de ligne.",
      youAsked: "Vous avez demandé : ",
      answer: "Réponse",
      statusAnswered: "Réponse",
      statusAbstained: "Absent de nos fiches",
      statusCorrected: "Correction",
      sorry: "Désolé",
      sources: "Sources",
      closest: "Objets les plus proches dans la collection",
      viewObject: "Voir cet objet sur le site du musée",
      viewImage: "Voir l'image",
      imageRights: "Image",
      textRights: "Texte",
      visitorInfo: "Informations pratiques",
      tryAsking: "Questions à essayer",
      helpfulQuestion: "Cette réponse vous a-t-elle aidé ?",
      helpful: "Utile ?",
      yes: "Oui",
      no: "Non",
      yesLabel: "Cette réponse m'a aidé",
      noLabel: "Cette réponse ne m'a pas aidé",
      thanks: "Merci pour votre avis.",
      feedbackFailed: "Votre avis n'a pas pu être enregistré.",
      searching: "Recherche dans les fiches du musée…",
      answering: "Rédaction de la réponse…",
      complete: "Réponse terminée.",
      notAnswered: "Les fiches ne répondent pas à cette question.",
      tooMany: "Vous avez posé beaucoup de questions en peu de temps. Veuillez réessayer {when}",
      inSeconds: "dans {seconds} secondes.",
      shortly: "dans un instant.",
      failedStatus: "La question n'a pas pu recevoir de réponse pour le moment (erreur {status}). Veuillez réessayer.",
      failed: "La question n'a pas pu recevoir de réponse. Veuillez réessayer.",
      unreachable: "Le service de réponses du musée est injoignable. Veuillez réessayer plus tard.",
      interrupted: "La réponse a été interrompue. Veuillez réessayer.",
    },
    de: {
      title: "Fragen zur Sammlung",
      intro: "Die Antworten stammen nur aus den Unterlagen des Museums, mit ihren Quellen. Wenn die Unterlagen es nicht sagen, sage ich es Ihnen.",
      placeholder: "z. B. Wer hat das Porträt von Man Ray geschaffen?",
      close: "Chat schließen",
      conversation: "Unterhaltung",
      yourQuestion: "Ihre Frage",
      ask: "Fragen",
      hint: "Eingabetaste zum Senden, Umschalt+Eingabe für eine neue Zeile.",
      youAsked: "Ihre Frage: ",
      answer: "Antwort",
      statusAnswered: "Antwort",
      statusAbstained: "Nicht in unseren Unterlagen",
      statusCorrected: "Korrektur",
      sorry: "Leider",
      sources: "Quellen",
      closest: "Die nächstliegenden Objekte der Sammlung",
      viewObject: "Dieses Objekt auf der Website des Museums ansehen",
      viewImage: "Bild ansehen",
      imageRights: "Bild",
      textRights: "Text",
      visitorInfo: "Besucherinformationen",
      tryAsking: "Fragen zum Ausprobieren",
      helpfulQuestion: "War diese Antwort hilfreich?",
      helpful: "Hilfreich?",
      yes: "Ja",
      no: "Nein",
      yesLabel: "Diese Antwort war hilfreich",
      noLabel: "Diese Antwort war nicht hilfreich",
      thanks: "Danke für Ihre Rückmeldung.",
      feedbackFailed: "Ihre Rückmeldung konnte nicht gespeichert werden.",
      searching: "Die Unterlagen des Museums werden durchsucht…",
      answering: "Antwort wird verfasst…",
      complete: "Antwort vollständig.",
      notAnswered: "Die Unterlagen beantworten diese Frage nicht.",
      tooMany: "Sie haben in kurzer Zeit viele Fragen gestellt. Bitte versuchen Sie es {when} erneut.",
      inSeconds: "in {seconds} Sekunden",
      shortly: "gleich",
      failedStatus: "Die Frage konnte gerade nicht beantwortet werden (Fehler {status}). Bitte versuchen Sie es erneut.",
      failed: "Die Frage konnte nicht beantwortet werden. Bitte versuchen Sie es erneut.",
      unreachable: "Der Antwortdienst des Museums ist nicht erreichbar. Bitte versuchen Sie es später erneut.",
      interrupted: "Die Antwort wurde unterbrochen. Bitte versuchen Sie es erneut.",
    },
    nl: {
      title: "Vragen over de collectie",
      intro: "De antwoorden komen alleen uit de gegevens van het museum, met hun bronnen. Als de gegevens het niet zeggen, vertel ik u dat.",
      placeholder: "bijv. Wie maakte het portret van Man Ray?",
      close: "Chat sluiten",
      conversation: "Gesprek",
      yourQuestion: "Uw vraag",
      ask: "Vragen",
      hint: "Enter om te versturen, Shift+Enter voor een nieuwe regel.",
      youAsked: "U vroeg: ",
      answer: "Antwoord",
      statusAnswered: "Antwoord",
      statusAbstained: "Niet in onze gegevens",
      statusCorrected: "Correctie",
      sorry: "Helaas",
      sources: "Bronnen",
      closest: "Objecten in de collectie die het dichtst in de buurt komen",
      viewObject: "Bekijk dit object op de website van het museum",
      viewImage: "Bekijk de afbeelding",
      imageRights: "Afbeelding",
      textRights: "Tekst",
      visitorInfo: "Bezoekersinformatie",
      tryAsking: "Vragen om te proberen",
      helpfulQuestion: "Was dit antwoord nuttig?",
      helpful: "Nuttig?",
      yes: "Ja",
      no: "Nee",
      yesLabel: "Dit antwoord was nuttig",
      noLabel: "Dit antwoord was niet nuttig",
      thanks: "Bedankt voor uw reactie.",
      feedbackFailed: "Uw reactie kon niet worden opgeslagen.",
      searching: "De gegevens van het museum worden doorzocht…",
      answering: "Antwoord wordt opgesteld…",
      complete: "Antwoord compleet.",
      notAnswered: "De gegevens beantwoorden deze vraag niet.",
      tooMany: "U hebt in korte tijd veel vragen gesteld. Probeer het {when} opnieuw.",
      inSeconds: "over {seconds} seconden",
      shortly: "zo meteen",
      failedStatus: "De vraag kon nu niet worden beantwoord (fout {status}). Probeer het opnieuw.",
      failed: "De vraag kon niet worden beantwoord. Probeer het opnieuw.",
      unreachable: "De antwoorddienst van het museum is niet bereikbaar. Probeer het later opnieuw.",
      interrupted: "Het antwoord werd onderbroken. Probeer het opnieuw.",
    },
    es: {
      title: "Preguntas sobre la colección",
      intro: "Las respuestas salen solo de los registros del museo, con sus fuentes. Si los registros no lo dicen, se lo diré.",
      placeholder: "p. ej. ¿Quién hizo el retrato de Man Ray?",
      close: "Cerrar el chat",
      conversation: "Conversación",
      yourQuestion: "Su pregunta",
      ask: "Preguntar",
      hint: "Intro para enviar, Mayús+Intro para una línea nueva.",
      youAsked: "Usted preguntó: ",
      answer: "Respuesta",
      statusAnswered: "Respuesta",
      statusAbstained: "No está en nuestros registros",
      statusCorrected: "Corrección",
      sorry: "Lo siento",
      sources: "Fuentes",
      closest: "Objetos más cercanos de la colección",
      viewObject: "Ver este objeto en el sitio web del museo",
      viewImage: "Ver la imagen",
      imageRights: "Imagen",
      textRights: "Texto",
      visitorInfo: "Información para visitantes",
      tryAsking: "Preguntas para probar",
      helpfulQuestion: "¿Le ha resultado útil esta respuesta?",
      helpful: "¿Útil?",
      yes: "Sí",
      no: "No",
      yesLabel: "Esta respuesta fue útil",
      noLabel: "Esta respuesta no fue útil",
      thanks: "Gracias por su opinión.",
      feedbackFailed: "No se pudo guardar su opinión.",
      searching: "Buscando en los registros del museo…",
      answering: "Redactando la respuesta…",
      complete: "Respuesta completa.",
      notAnswered: "Los registros no responden a esa pregunta.",
      tooMany: "Ha hecho muchas preguntas en poco tiempo. Vuelva a intentarlo {when}",
      inSeconds: "dentro de {seconds} segundos.",
      shortly: "en un momento.",
      failedStatus: "No se pudo responder a la pregunta en este momento (error {status}). Vuelva a intentarlo.",
      failed: "No se pudo responder a la pregunta. Vuelva a intentarlo.",
      unreachable: "No se pudo contactar con el servicio de respuestas del museo. Vuelva a intentarlo más tarde.",
      interrupted: "La respuesta se interrumpió. Vuelva a intentarlo.",
    },
    it: {
      title: "Domande sulla collezione",
      intro: "Le risposte vengono solo dalle schede del museo, con le loro fonti. Se le schede non lo dicono, glielo dirò.",
      placeholder: "es. Chi ha realizzato il ritratto di Man Ray?",
      close: "Chiudi la chat",
      conversation: "Conversazione",
      yourQuestion: "La sua domanda",
      ask: "Chiedi",
      hint: "Invio per inviare, Maiusc+Invio per andare a capo.",
      youAsked: "Ha chiesto: ",
      answer: "Risposta",
      statusAnswered: "Risposta",
      statusAbstained: "Non nelle nostre schede",
      statusCorrected: "Correzione",
      sorry: "Spiacente",
      sources: "Fonti",
      closest: "Gli oggetti più vicini nella collezione",
      viewObject: "Vedi questo oggetto sul sito del museo",
      viewImage: "Vedi l'immagine",
      imageRights: "Immagine",
      textRights: "Testo",
      visitorInfo: "Informazioni per i visitatori",
      tryAsking: "Domande da provare",
      helpfulQuestion: "Questa risposta le è stata utile?",
      helpful: "Utile?",
      yes: "Sì",
      no: "No",
      yesLabel: "Questa risposta è stata utile",
      noLabel: "Questa risposta non è stata utile",
      thanks: "Grazie per il suo parere.",
      feedbackFailed: "Non è stato possibile salvare il suo parere.",
      searching: "Ricerca nelle schede del museo…",
      answering: "Preparazione della risposta…",
      complete: "Risposta completa.",
      notAnswered: "Le schede non rispondono a questa domanda.",
      tooMany: "Ha fatto molte domande in poco tempo. Riprovi {when}",
      inSeconds: "tra {seconds} secondi.",
      shortly: "tra poco.",
      failedStatus: "Al momento non è stato possibile rispondere alla domanda (errore {status}). Riprovi.",
      failed: "Non è stato possibile rispondere alla domanda. Riprovi.",
      unreachable: "Il servizio di risposte del museo non è raggiungibile. Riprovi più tardi.",
      interrupted: "La risposta è stata interrotta. Riprovi.",
    },
  };

  function pageLanguage() {
    var tag = script.getAttribute("data-lang") || document.documentElement.getAttribute("lang") || "en";
    return String(tag).trim().toLowerCase().split(/[-_]/)[0] || "en";
  }

  var lang = pageLanguage();

  /** The string `key` in the page's language (else English), with {name} placeholders filled from `values`. */
  function t(key, values) {
    var table = STRINGS[lang] || {};
    var text = table[key] !== undefined ? table[key] : STRINGS.en[key];
    return String(text === undefined ? key : text).replace(/\{(\w+)\}/g, function (match, name) {
      return values && values[name] !== undefined ? String(values[name]) : match;
    });
  }

  var options = {
    title: script.getAttribute("data-title") || t("title"),
    intro: script.getAttribute("data-intro") || t("intro"),
    placeholder: script.getAttribute("data-placeholder") || t("placeholder"),
    open: script.getAttribute("data-open") === "true",
    greeting: script.getAttribute("data-greeting") !== "false",
  };

  var STATUS_LABELS = {
    answered: "statusAnswered",
    abstained: "statusAbstained",
    corrected: "statusCorrected",
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
  var closeButton = el("button", { type: "button", className: "mrw-close", "aria-label": t("close"), text: "×" });
  var log = el("div", {
    className: "mrw-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": t("conversation"),
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
  var submit = el("button", { type: "submit", className: "mrw-submit", text: t("ask") });
  var form = el("form", { className: "mrw-form", novalidate: true }, [
    el("label", { for: "mrw-input", className: "mrw-visually-hidden", text: t("yourQuestion") }),
    input,
    submit,
    el("p", { id: "mrw-hint", className: "mrw-visually-hidden", text: t("hint") }),
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
      el("div", { className: "mrw-msg mrw-msg-user" }, [el("span", { className: "mrw-visually-hidden", text: t("youAsked") }), question])
    );
    scrollToEnd();
  }

  function AnswerView() {
    this.node = el("article", { className: "mrw-msg mrw-msg-answer", "aria-busy": "true", "aria-label": t("answer") });
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
      this.badge.textContent = t(STATUS_LABELS[answerStatus]);
      this.badge.hidden = false;
    }
  };

  /** One piece of the answer: a verified sentence (with its support) as soon as the server sends it. */
  AnswerView.prototype.append = function (text, sentence) {
    var piece = el("span", { className: "mrw-sentence", text: str(text) });
    if (sentence && typeof sentence.support === "number") piece.setAttribute("data-support", String(sentence.support));
    this.text.appendChild(piece);
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

  /** "Text: CC0 1.0 · Image: In Copyright", each label linked to its statement's URI when it has one. */
  function rightsLine(rights, withImage) {
    if (!rights || typeof rights !== "object") return null;
    var parts = [];
    [["text", "textRights"], ["image", "imageRights"]].forEach(function (pair) {
      var statement = rights[pair[0]];
      if (!statement || typeof statement !== "object" || (pair[0] === "image" && !withImage)) return;
      var label = str(statement.label) || str(statement.uri);
      if (!label) return;
      var uri = safeUrl(statement.uri);
      if (parts.length) parts.push(" · ");
      parts.push(t(pair[1]) + ": ");
      parts.push(uri ? el("a", { href: uri, target: "_blank", rel: "noopener noreferrer license", text: label }) : label);
    });
    return parts.length ? el("span", { className: "mrw-card-rights" }, parts) : null;
  }

  /** Maker(s) ("Role: Name"), date and object type: what tells thirty objects of one title apart. */
  function factsLine(item) {
    var creators = Array.isArray(item.creators) ? item.creators.map(str).filter(Boolean).join("; ") : "";
    var facts = [creators, str(item.date), str(item.type)].filter(Boolean).join(" · ");
    return facts ? el("span", { className: "mrw-card-facts", text: facts }) : null;
  }

  function card(item, numbers) {
    var href = safeUrl(item.url);
    var image = safeUrl(item.thumbnail_url) || safeUrl(item.image_url);
    // The image is shown only when its rights allow it (the server's image_display) and it comes over https;
    // otherwise the card links to it.
    var showImage = Boolean(image) && item.image_display === true && image.indexOf("https:") === 0;
    var body = [];
    if (showImage) {
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
    var title = href
      ? el("a", { className: "mrw-card-title", href: href, target: "_blank", rel: "noopener noreferrer", title: t("viewObject"), text: str(item.title) })
      : el("span", { className: "mrw-card-title", text: str(item.title) });
    var imageLink = image && !showImage
      ? el("a", { className: "mrw-card-image-link", href: image, target: "_blank", rel: "noopener noreferrer", text: t("viewImage") })
      : null;
    var info = el("span", { className: "mrw-card-info" }, [
      label ? el("span", { className: "mrw-card-n", text: label }) : null,
      title,
      factsLine(item),
      item.museum ? el("span", { className: "mrw-card-museum", text: str(item.museum) }) : null,
      item.quote ? el("q", { className: "mrw-card-quote", text: str(item.quote), lang: item.lang ? str(item.lang) : null }) : null,
      rightsLine(item.rights, Boolean(image)),
      imageLink,
    ]);
    body.push(info);
    return el("div", { className: "mrw-card", "data-record-id": str(item.record_id) }, body);
  }

  AnswerView.prototype.visitorInfo = function (url) {
    var href = safeUrl(url);
    if (!href) return;
    this.node.appendChild(
      el("p", { className: "mrw-visitor-info" }, [
        el("a", { href: href, target: "_blank", rel: "noopener noreferrer", text: t("visitorInfo") }),
      ])
    );
    reveal(this.node);
  };

  AnswerView.prototype.rating = function (answerId) {
    if (!answerId) return;
    var group = el("div", { className: "mrw-rating", role: "group", "aria-label": t("helpfulQuestion") }, [
      el("span", { className: "mrw-rating-label", text: t("helpful") }),
    ]);
    var buttons = [
      ["up", t("yes"), t("yesLabel")],
      ["down", t("no"), t("noLabel")],
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
    this.badge.textContent = t("sorry");
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
        status.textContent = response.ok ? t("thanks") : t("feedbackFailed");
      })
      .catch(function () {
        status.textContent = t("feedbackFailed");
      });
  }

  // ------------------------------------------------------------------ the conversation

  function problemMessage(response, body) {
    var detail = body && typeof body.detail === "string" ? body.detail : "";
    if (response.status === 429) {
      var wait = response.headers.get("Retry-After");
      return t("tooMany", { when: wait ? t("inSeconds", { seconds: wait }) : t("shortly") });
    }
    if (response.status === 422 && detail) return detail;
    return t("failedStatus", { status: response.status });
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
    setBusy(true, t("searching"));
    var finished = false;

    function handle(name, data) {
      if (name === "status") {
        if (data.status) view.setStatus(data.status);
        if (data.stage === "answering") status.textContent = t("answering");
      } else if (name === "delta") {
        view.append(data.text, data.sentence);
      } else if (name === "citations") {
        view.visitorInfo(data.visitor_info_url);
        view.cards(t("sources"), data.citations, "mrw-cards-sources", true);
        view.cards(t("closest"), data.suggestions, "mrw-cards-suggestions", false);
      } else if (name === "done") {
        finished = true;
        if (data.lang) view.text.setAttribute("lang", str(data.lang));
        view.setStatus(data.status);
        view.rating(data.answer_id);
        view.finish();
        setBusy(false, data.status === "abstained" ? t("notAnswered") : t("complete"));
      } else if (name === "error") {
        finished = true;
        view.fail(str(data.detail) || t("failed"));
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
          view.fail(t("unreachable"));
          setBusy(false, "");
        }
      })
      .then(function () {
        if (!finished) {
          view.fail(t("interrupted"));
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

  // ------------------------------------------------------------------ greeting and questions to try

  var greeted = false;

  /** Once, on first opening: one line and questions built from the collection's own records. */
  function greet() {
    if (greeted || !options.greeting) return;
    greeted = true;
    fetch(endpoint + "/v1/suggestions?n=3&lang=" + encodeURIComponent(lang), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || !data.greeting) return;
        var list = el("ul", { className: "mrw-suggested", "aria-label": t("tryAsking") });
        (data.suggestions || []).forEach(function (suggestion) {
          var question = str(suggestion.question);
          if (!question) return;
          var button = el("button", { type: "button", className: "mrw-suggestion", text: question });
          button.addEventListener("click", function () {
            if (!busy) ask(question);
          });
          list.appendChild(el("li", null, [button]));
        });
        var greeting = el("div", { className: "mrw-msg mrw-msg-greeting" }, [el("p", { className: "mrw-text", text: str(data.greeting) })]);
        if (list.childNodes.length) greeting.appendChild(list);
        log.insertBefore(greeting, log.firstChild);
      })
      .catch(function () {});
  }

  launcher.addEventListener("click", greet);

  // A page's own "questions to try": any element with data-mrw-question asks it.
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-mrw-question]") : null;
    if (!target || root.contains(target)) return;
    event.preventDefault();
    var question = (target.getAttribute("data-mrw-question") || target.textContent || "").trim();
    if (!question || busy) return;
    if (panel.hidden) open();
    greeted = true; // the visitor chose a question: no greeting above it
    ask(question);
  });

  function mount() {
    document.body.appendChild(root);
    if (options.open) {
      open();
      greet();
    }
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.MuseumRagWidget = { open: open, close: close, ask: function (q) { open(); ask(String(q)); }, strings: STRINGS };
})();
