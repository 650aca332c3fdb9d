package e2e

import (
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// landsOn is a JavaScript expression naming the page a used sign-in link
// led to, once one of the two shows: "list" (the webhooks list, after the
// signed-in page moved on) or "expired" (the dead end it was).
const landsOn = `(() => {
	if (!` + loaded + `) return "";
	if (document.querySelector('a[href$="webhooks/new"]')) return "list";
	const h1 = document.querySelector("main h1");
	return h1 && h1.innerText === "This link has expired" ? "expired" : "";
})()`

// TestPortalUsedLinkOpenedAgainWhileSignedIn: a sign-in link the browser
// used, opened again in a second tab and then in the first one (as an app
// that keeps the link it got, or the history, opens it), and then from a
// page of another site (an email or a chat in the browser, the deploying
// team's app on another domain), leads on to the same organization's
// webhooks, since the browser holds that session.
func TestPortalUsedLinkOpenedAgainWhileSignedIn(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "relink")
	hook := tn.createWebhook("http://127.0.0.1:9/relink", "emailOpen")
	link := tn.portalLink()
	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(link)

	tabCtx, closeTab := chromedp.NewContext(b.ctx)
	defer closeTab()
	// The tab lives as long as the context of its first call: tabCtx, not
	// a step's.
	if err := chromedp.Do(tabCtx, chromedp.EmulateViewport(desktopWidth, desktopHeight)); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	tab := &browser{t: t, ctx: tabCtx}
	for _, at := range []struct {
		name string
		b    *browser
	}{{"a second tab", tab}, {"the first tab", b}} {
		at.b.run(chromedp.Navigate(link))
		if got := pollEval(at.b, landsOn, "the used link's page in "+at.name, func(s string) bool { return s != "" }); got != "list" {
			t.Fatalf("the used link opened again in %s: %s page, want the webhooks list", at.name, got)
		}
		if org := at.b.text(".org"); org != tn.org {
			t.Fatalf("the used link opened again in %s shows organization %q, want %q", at.name, org, tn.org)
		}
		if !at.b.truth(`!!document.querySelector('a[href$=` + strconv.Quote(hook.ID) + `]')`) {
			t.Fatalf("the used link opened again in %s does not list the endpoint: %s", at.name, at.b.html("main"))
		}
	}

	// From another site the session cookie (SameSite=Strict) is not sent:
	// the portal's own page opens the link again, and that one carries it.
	elsewhere := linkingPage(t, link)
	b.run(chromedp.Navigate(elsewhere), chromedp.Click(chromedp.CSS("#open")))
	if got := pollEval(b, landsOn, "the used link's page, followed from another site", func(s string) bool { return s != "" }); got != "list" {
		t.Fatalf("the used link followed from another site: %s page, want the webhooks list", got)
	}

	// A browser without the session still gets nowhere with it.
	other := newBrowser(t, desktopWidth, desktopHeight)
	other.run(chromedp.Navigate(link))
	if got := pollEval(other, landsOn, "the used link's page in another browser", func(s string) bool { return s != "" }); got != "expired" {
		t.Fatalf("the used link in another browser: %s page, want expired", got)
	}
	other.run(chromedp.Navigate(elsewhere), chromedp.Click(chromedp.CSS("#open")))
	if got := pollEval(other, landsOn, "the used link's page in another browser, from another site", func(s string) bool { return s != "" }); got != "expired" {
		t.Fatalf("the used link in another browser, from another site: %s page, want expired", got)
	}
}

// linkingPage serves a page of another site (127.0.0.2: IP hosts are
// sites of their own) with a link #open to target, and returns its URL.
func linkingPage(t *testing.T, target string) string {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><title>Inbox</title><a id="open" href="%s">Manage your webhooks</a>`, html.EscapeString(target))
	}))
	page.Listener.Close()
	page.Listener = ln
	page.Start()
	t.Cleanup(page.Close)
	return page.URL
}

// TestPortalFrameLoadedAgainKeepsItsSession: the deploying team's page,
// on the portal's site, framing its link is loaded again (an app mounting
// its frame again with the src it kept), so the frame opens the used link
// again: it goes on to the webhooks the frame is signed in to.
func TestPortalFrameLoadedAgainKeepsItsSession(t *testing.T) {
	t.Parallel()
	_, tn, _, b := framedPortal(t, "127.0.0.1:0")
	list := loaded + ` && document.querySelector('a[href$="webhooks/new"]') !== null && document.querySelector('.org').innerText === ` + strconv.Quote(tn.org)
	// The mark is on the first frame's document: the frame loaded again has none.
	b.frameTrue(list+` && (document.documentElement.dataset.first = "1") === "1"`, "the tenant's webhooks list inside the frame")
	b.run(chromedp.Reload())
	b.frameTrue(`!document.documentElement.dataset.first && `+list, "the tenant's webhooks list inside the frame loaded again")
}
