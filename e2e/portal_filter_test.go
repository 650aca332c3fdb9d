package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestPortalOutcomeFilterWaitsForTheKeyboard: arrow keys on the attempt
// log's Outcome select change its value and nothing else (WCAG 3.2.2 On
// Input: the first Down used to reload the page with "Delivered" and throw
// the focus to the top); Filter applies it, and the
// filtered page gives the focus back to the select.
func TestPortalOutcomeFilterWaitsForTheKeyboard(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "filterkeys")
	hook := tn.createWebhook("http://127.0.0.1:9/keys", "emailOpen") // nothing is sent to it

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/"+hook.ID, "#outcome")
	// A script's form.submit() (what a submit on change calls) is counted
	// instead of sent, so the page stays to be asked.
	b.truth(`(() => { HTMLFormElement.prototype.submit = function () { window.__scriptSubmits = (window.__scriptSubmits || 0) + 1 };
		document.getElementById("outcome").focus(); return true })()`)
	b.run(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	if got := b.value("#outcome"); got != "retrying" {
		t.Fatalf("two Downs from All outcomes: the select holds %q, want retrying", got)
	}
	if !b.truth(`!window.__scriptSubmits && location.search === "" && document.activeElement.id === "outcome"`) {
		t.Fatalf("arrow keys on the select submitted the filter (submits %v, address %s)",
			b.truth(`!!window.__scriptSubmits`), b.read("body", "baseURI"))
	}

	b.click(`form.filter button[type="submit"]`, "#outcome")
	if !b.truth(`new URLSearchParams(location.search).get("outcome") === "retrying"`) {
		t.Fatalf("Filter did not apply the outcome: %s", b.read("body", "baseURI"))
	}
	b.waitTrue(`document.activeElement === document.getElementById("outcome")`, "the focus back on the Outcome select")
	// Back to all outcomes: still a filter the user just applied.
	b.truth(`(() => { document.getElementById("outcome").value = ""; return true })()`)
	b.click(`form.filter button[type="submit"]`, "#outcome")
	b.waitTrue(`location.search === "?outcome=" && document.activeElement === document.getElementById("outcome")`, "the focus on the select after All outcomes")
}
