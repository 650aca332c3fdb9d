package e2e

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// TestPortalAsksBeforeSwitchingOrganization: any tenant can mint sign-in
// links for its own organization. One opened for a browser signed in to
// another organization, from another site (the attack: localhost is
// another site than 127.0.0.1), arrives without the SameSite=Strict
// session cookie, so only the Lax organization cookie lets the portal
// ask instead of swapping the session unseen. The owner's id is long and
// has nowhere a line may break (ids.ValidOrg allows 128 characters): the
// question still fits a phone and its card, its button too.
func TestPortalAsksBeforeSwitchingOrganization(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	owner := newTenant(t, s, "switchowner"+strings.Repeat("x", 90))
	visitor := newTenant(t, s, "switchvisitor")
	hook := owner.createWebhook("http://127.0.0.1:9/owner", "emailOpen")

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(visitor.portalLink())
	ownerLink := owner.portalLink()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><a id="go" href="%s">Webhooks</a>`, html.EscapeString(ownerLink))
	}))
	defer site.Close()
	elsewhere := strings.Replace(site.URL, "127.0.0.1", "localhost", 1)

	b.open(elsewhere, "#go")
	b.click("#go", "main h1")
	if got := b.text("main h1"); got != "Switch organization?" {
		t.Fatalf("another organization's link from another site: %q, want the question", got)
	}
	if page := b.text("main"); !strings.Contains(page, visitor.org) || !strings.Contains(page, owner.org) {
		t.Fatalf("the question does not name both organizations: %s", page)
	}
	for _, width := range []int64{phoneWidth, desktopWidth} {
		b.fitsAt(width, "switch-organization-"+strconv.FormatInt(width, 10))
	}

	// Staying keeps the visitor's own portal.
	b.click(`main a.button[href="./"]`, `a[href$="webhooks/new"]`)
	if html := b.html("main"); strings.Contains(html, hook.ID) || !strings.Contains(html, "No webhooks yet") {
		t.Fatalf("after staying: %s", html)
	}

	// Continuing (the link was not used up by asking) switches.
	b.open(elsewhere, "#go")
	b.click("#go", "main h1")
	b.click(`main button[type="submit"]`, `a[href$="webhooks/new"]`)
	if html := b.html("main"); !strings.Contains(html, hook.ID) {
		t.Fatalf("after continuing, the owner's endpoint is not listed: %s", html)
	}
}
