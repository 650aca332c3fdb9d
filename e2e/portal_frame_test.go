package e2e

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// TestPortalFramedBySameSitePage is README's iframe tried beside make dev:
// a page on http://127.0.0.1:<port> (listed in
// HOOKRELAY_PORTAL_FRAME_ANCESTORS) frames the link its backend asked
// for. Same site as the portal, so the SameSite=Strict session cookie is
// kept and sent in the frame, which shows the tenant's webhooks.
func TestPortalFramedBySameSitePage(t *testing.T) {
	t.Parallel()
	_, tn, _, b := framedPortal(t, "127.0.0.1:0")
	b.frameTrue(loaded+` && document.querySelector('a[href$="webhooks/new"]') !== null && document.querySelector('.org').innerText === `+strconv.Quote(tn.org),
		"the tenant's webhooks list inside the frame")
}

// TestPortalFramedByAnotherSiteKeepsTheLink: a page of another site (here
// http://127.0.0.2:<port> framing http://127.0.0.1: IP hosts are sites of
// their own) can never keep a session in the frame, so the portal does not
// use the link up there: the frame offers it in a new tab, where it signs
// in. Chromium sends the Fetch Metadata that tells the
// portal so. IPv4 only: CSP cannot name [::1], and a CI machine may have
// no IPv6 loopback.
func TestPortalFramedByAnotherSiteKeepsTheLink(t *testing.T) {
	t.Parallel()
	s, _, link, b := framedPortal(t, "127.0.0.2:0")
	testenv.WaitFor(t, stepTimeout, "the portal to see its login framed cross-site", func() bool {
		return s.logs.linesWith(1, "portal framed cross-site") != ""
	})
	// A frame CSP refused shows Chromium's error page instead: this fails.
	b.crossSiteFrameTrue(s.API, loaded+` && [...document.querySelectorAll('a[target="_blank"]')].some(a => a.innerText.includes('Open webhooks in a new tab') && a.href === `+strconv.Quote(link)+`)`,
		"the frame of another site to offer the link in a new tab")
	b.signIn(link) // top-level, as the new tab: the link was not used up
}

// framedPortal starts a stack that lets a page on addr (a loopback
// address, port 0) frame the portal, serves there the deploying team's
// page framing a tenant's link as README's Embedding shows, and opens it
// in a browser.
func framedPortal(t *testing.T, addr string) (*stack, *tenant, string, *browser) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv()
	env["HOOKRELAY_PORTAL_FRAME_ANCESTORS"] = "http://" + ln.Addr().String()
	s := startTestStack(t, devrun.Options{Env: env})
	tn := newTenant(t, s, "framed")
	link := tn.portalLink()
	host := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><title>Settings</title><h1>Settings</h1>
<iframe src="%s" title="Webhooks" allow="clipboard-write" style="width:100%%;height:800px;border:0"></iframe>`, html.EscapeString(link))
	}))
	host.Listener.Close()
	host.Listener = ln
	host.Start()
	t.Cleanup(host.Close)
	b := newBrowser(t, desktopWidth, desktopHeight)
	b.run(chromedp.Navigate(host.URL))
	return s, tn, link, b
}

// frameTrue polls a JavaScript expression in the page's first iframe until
// it is true. It evaluates in an isolated world of that frame (its DOM,
// whatever its origin); a new one each time, as the frame navigates.
func (b *browser) frameTrue(expr, what string) {
	b.t.Helper()
	testenv.WaitFor(b.t, stepTimeout, what, func() bool {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil || len(tree.FrameTree.ChildFrames) == 0 {
			return false
		}
		world, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{FrameID: tree.FrameTree.ChildFrames[0].Frame.ID})
		if err != nil {
			return false
		}
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr, func(p *runtime.EvaluateParams) { p.ContextID = world.ExecutionContextID }))
		return err == nil && ok
	})
}

// crossSiteFrameTrue polls a JavaScript expression in a frame of another
// site whose URL starts with prefix. Chromium runs such a frame as its own
// target (type "iframe"), which frameTrue's frame tree does not reach: a
// context attaches to that target, and leaves it (detach, not close).
func (b *browser) crossSiteFrameTrue(prefix, expr, what string) {
	b.t.Helper()
	testenv.WaitFor(b.t, stepTimeout, what, func() bool {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		defer cancel()
		infos, err := chromedp.Targets(ctx)
		if err != nil {
			return false
		}
		for _, info := range infos {
			if info.Type != "iframe" || !strings.HasPrefix(info.URL, prefix) {
				continue
			}
			frame, leave := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID), chromedp.WithDetachOnCancel())
			ok, err := chromedp.Run(frame, chromedp.Evaluate[bool](expr))
			leave()
			return err == nil && ok
		}
		return false
	})
}
