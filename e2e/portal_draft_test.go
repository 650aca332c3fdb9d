package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A Create sent after the session ended (its fixed hour, or Sign out in
// another tab) says the webhook was not created, and once signed in again
// the Create form in that tab has its name and event choices back; never
// its URL, which may carry a token.
func TestPortalCreateAfterTheSessionEndedKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "portaldraft")
	b := newBrowser(t, desktopWidth, desktopHeight)

	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/new", "#name")
	b.waitVisible("#url")
	b.run(chromedp.SendKeys(chromedp.CSS("#name"), "Orders sync"), chromedp.SendKeys(chromedp.CSS("#url"), "https://example.com/hook?token=s3cret"))
	b.waitTrue(`(() => { const all = document.getElementById("all_events"); if (all.checked) all.click();
		document.querySelector('input[name="event_types"][value="emailClick"]').click(); return true; })()`, "events ticked")
	// Sign out in another tab: the session ends under the typed form.
	b.waitTrue(`(() => { if (window.__signedOut) return window.__signedOut === 'done';
		window.__signedOut = 'sent';
		fetch('../logout', {method: 'POST', body: new URLSearchParams({csrf: document.querySelector('input[name=csrf]').value})}).then(() => window.__signedOut = 'done');
		return false; })()`, "the session ended in another tab")
	b.click(`form[action$="webhooks/new"] button[type="submit"]`, "main h1")
	if got := b.text("main"); !strings.Contains(got, "Your session has ended") || !strings.Contains(got, "The webhook was not created.") {
		t.Fatalf("the Create sent after the session ended: %q", got)
	}
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/new", "#name")
	b.waitTrue(`document.getElementById("name").value === "Orders sync" && !document.getElementById("all_events").checked &&
		document.querySelector('input[name="event_types"][value="emailClick"]').checked &&
		document.querySelectorAll('input[name="event_types"]:checked').length === 1`, "the typed name and events back in the form")
	if got := b.value("#url"); got != "" {
		t.Errorf("the URL came back from storage: %q", got)
	}
	if b.truth(`sessionStorage.length !== 0`) {
		t.Error("the draft stays stored after the form took it back")
	}
}

// A draft belongs to the organization it was typed for: the same tab,
// signed in to another organization, gets an empty Create form.
func TestPortalCreateDraftStaysWithItsOrganization(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a, other := newTenant(t, s, "draftorga"), newTenant(t, s, "draftorgb")
	b := newBrowser(t, desktopWidth, desktopHeight)

	b.signIn(a.portalLink())
	b.open(s.API+"/portal/webhooks/new", "#name")
	b.waitVisible("#url")
	b.run(chromedp.SendKeys(chromedp.CSS("#name"), "Org A payroll"), chromedp.SendKeys(chromedp.CSS("#url"), "https://example.com/hook"))
	b.waitTrue(`(() => { if (window.__signedOut) return window.__signedOut === 'done';
		window.__signedOut = 'sent';
		fetch('../logout', {method: 'POST', body: new URLSearchParams({csrf: document.querySelector('input[name=csrf]').value})}).then(() => window.__signedOut = 'done');
		return false; })()`, "the session ended in another tab")
	b.click(`form[action$="webhooks/new"] button[type="submit"]`, "main h1")
	if got := b.text("main"); !strings.Contains(got, "The webhook was not created.") {
		t.Fatalf("the Create sent after the session ended: %q", got)
	}
	if !b.truth(`sessionStorage.length === 1`) {
		t.Fatal("no draft kept for organization A's Create")
	}

	// This browser was signed in to A: the link for B may ask first.
	b.run(chromedp.Navigate(other.portalLink()))
	b.waitVisible("main h1")
	if b.text("main h1") == "Switch organization?" {
		b.click(`main button[type="submit"]`, `a[href$="webhooks/new"]`)
	} else {
		b.waitVisible(`a[href$="webhooks/new"]`)
	}
	b.open(s.API+"/portal/webhooks/new", "#name")
	b.waitVisible("#url")
	if got := b.value("#name"); got != "" {
		t.Errorf("organization %s's Create form holds %q, organization %s's draft", other.org, got, a.org)
	}
}
