// Progressive enhancement for the portal: every page works without it.
(function () {
  "use strict";

  // Copy buttons: data-copy names the element whose text is copied. They
  // stay hidden where there is no script. A browser may refuse the
  // clipboard (a cross-origin iframe without allow="clipboard-write"):
  // then the text is selected, copied the old way if the browser lets it,
  // or left selected for the keyboard's copy. Each button's result is also
  // said in a live region (data-copy-status, or one made here), since a
  // screen reader does not announce a button's changed text. A touch
  // screen (a coarse pointer) has no Ctrl+C to offer: there the page
  // points to the device's own Copy.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var id = button.getAttribute("data-copy");
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (!status) {
      status = document.createElement("span");
      status.className = "sr-only";
      status.setAttribute("role", "status");
      status.setAttribute("aria-live", "polite");
      button.parentNode.insertBefore(status, button.nextSibling);
    }
    var label = button.textContent;
    var timer;
    var say = function (text, spoken, reset) {
      clearTimeout(timer);
      button.textContent = text;
      status.textContent = spoken;
      if (reset) timer = setTimeout(function () { button.textContent = label; status.textContent = ""; }, 2000);
    };
    var select = function (source) {
      var range = document.createRange();
      range.selectNodeContents(source);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    };
    var fallback = function (source) {
      select(source);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      if (copied) {
        say("Copied", "Copied to the clipboard", true);
      } else if (window.matchMedia && window.matchMedia("(pointer: coarse)").matches) {
        say("Selected: use your device's Copy", "The clipboard is not available here. The text is selected: use your device's Copy to copy it.", false);
      } else {
        say("Selected: press Ctrl+C or \u2318C", "The clipboard is not available here. The text is selected: press Control C, or Command C on a Mac, to copy it.", false);
      }
    };
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(id);
      if (!navigator.clipboard || !navigator.clipboard.writeText) {
        fallback(source);
        return;
      }
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        say("Copied", "Copied to the clipboard", true);
      }, function () {
        fallback(source);
      });
    });
  });

  // A Create sent after the session ended creates nothing (the page says
  // so), and what was typed would be lost with the page. Its name and
  // event choices (never the URL, which may carry a token) wait in this
  // tab's sessionStorage until the Create form is shown again, which takes
  // them back if its name is empty; a page showing a new secret or a
  // notice (the Create went through) drops them. A draft names its
  // organization: a tab signed in to another one never gets it.
  var draftKey = "hookrelay-create-draft";
  var orgShown = document.querySelector(".account .org");
  var org = orgShown ? orgShown.textContent : "";
  var drafts = null;
  try { drafts = window.sessionStorage; } catch (e) { drafts = null; }
  var create = document.querySelector('form[action$="webhooks/new"]');
  if (drafts && create) {
    var draft = null;
    try { draft = JSON.parse(drafts.getItem(draftKey)); } catch (e) { draft = null; }
    drafts.removeItem(draftKey);
    var nameField = create.elements.namedItem("name");
    var allField = create.elements.namedItem("all_events");
    var typeFields = create.querySelectorAll('input[name="event_types"]');
    if (draft && draft.org === org && nameField && !nameField.value) {
      nameField.value = draft.name || "";
      if (allField) allField.checked = !!draft.all;
      typeFields.forEach(function (i) { i.checked = (draft.types || []).indexOf(i.value) >= 0; });
    }
    create.addEventListener("submit", function () {
      var types = [];
      typeFields.forEach(function (i) { if (i.checked) types.push(i.value); });
      drafts.setItem(draftKey, JSON.stringify({ org: org, name: nameField ? nameField.value : "", all: !!(allField && allField.checked), types: types }));
    });
  } else if (drafts && document.querySelector("#secret, .notice")) {
    drafts.removeItem(draftKey);
  }

  // "All events" makes the individual types moot: grey them out.
  document.querySelectorAll("[data-all-events]").forEach(function (toggle) {
    var types = toggle.closest("form").querySelector("[data-event-types]");
    if (!types) return;
    var sync = function () {
      types.classList.toggle("disabled", toggle.checked);
      types.querySelectorAll("input").forEach(function (i) { i.disabled = toggle.checked; });
    };
    toggle.addEventListener("change", sync);
    sync();
  });

  // A page showing a new secret answered a POST (create, rotate): its
  // address becomes the endpoint's page, so a reload shows that page
  // instead of sending the form again (a second webhook, or a second
  // rotation that drops the secret the endpoint still uses).
  // The page's links are relative to the address it answered, which
  // may be deeper than the endpoint's (a rotation's): each link and form
  // is pinned to where it leads now, before the address changes.
  var shown = document.querySelector("[data-replace-url]");
  if (shown && window.history.replaceState) {
    var pin = function (el, attr, target) {
      var raw = el.getAttribute(attr);
      if (raw.charAt(0) === "#") return; // same page, wherever that is
      var u = new URL(target);
      if (u.origin === window.location.origin) el.setAttribute(attr, u.pathname + u.search + u.hash);
    };
    document.querySelectorAll("a[href]").forEach(function (a) { pin(a, "href", a.href); });
    document.querySelectorAll("form[action]").forEach(function (f) { pin(f, "action", f.action); });
    window.history.replaceState(null, "", shown.getAttribute("data-replace-url"));
  }

  // A refused form's alert takes the focus: autofocus does it, except
  // where a browser ignores it (a cross-origin frame). Its links move the
  // focus to their field; following "#url" alone only scrolls to it.
  var problems = document.getElementById("problems");
  if (problems) {
    if (document.activeElement === document.body) problems.focus();
    problems.querySelectorAll("a[data-field]").forEach(function (link) {
      link.addEventListener("click", function (e) {
        var field = document.getElementById(link.getAttribute("data-field"));
        if (!field) return;
        e.preventDefault();
        field.focus();
      });
    });
  }

  // A notice (?done=, and a recover's ?queued=) reports what the request
  // before this page did. Once shown it leaves the address, so a reload
  // or a bookmark does not report it again; the rest of the address stays
  // (a recover's more= and since= keep its form). Without script the
  // address keeps it, and a reload shows the same page, notice and all.
  if (document.querySelector(".notice") && window.history.replaceState) {
    var here = new URL(window.location.href);
    if (here.searchParams.has("done")) {
      here.searchParams.delete("done");
      here.searchParams.delete("queued");
      window.history.replaceState(window.history.state, "", here.pathname + here.search + here.hash);
    }
  }

  // A form that changes something is sent once: a double click (or a
  // second press while a slow answer is on its way) would send it again.
  // The server acts once per Create and Rotate form anyway (one-time
  // values); this spares the other forms' second request. Without script
  // every form still works. The buttons come back when the submission
  // cannot still be on its way: a page restored by Back, Escape (which
  // stops a page load), or 10 s without an answer, so a submission the
  // browser dropped never leaves the form dead until a reload.
  var posting = document.querySelectorAll('form[method="post"]');
  function rearm() {
    posting.forEach(function (form) {
      form.removeAttribute("data-sent");
      form.querySelectorAll('button[type="submit"]').forEach(function (b) { b.disabled = false; });
    });
  }
  posting.forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.hasAttribute("data-sent")) {
        e.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "");
      // After this event: a submit button disabled now would drop its
      // own name and value from the request.
      setTimeout(function () {
        form.querySelectorAll('button[type="submit"]').forEach(function (b) { b.disabled = true; });
      }, 0);
      setTimeout(rearm, 10000);
    });
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) rearm();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") rearm();
  });

  // A filtered attempt log gives the focus back to its Outcome select
  // (autofocus), here too where a browser ignores autofocus (a
  // cross-origin frame). The select never applies itself on change: arrow
  // keys change it too, and a page load on the first one threw a keyboard
  // user to the top (WCAG 3.2.2); Filter applies it.
  var filter = document.querySelector("select[autofocus]");
  if (filter && document.activeElement === document.body) filter.focus();
})();
