package e2e

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// TestPortalEndpointPageLeadsToItsSettings: the toolbar's Edit settings
// leads to the Settings form, which comes before the attempt log (under a
// long log it was thousands of pixels down, and so were a refused Save's
// fields from the errors at the top). The list says its success rate
// counts attempts: three events each delivered at its third attempt make
// 33%, which read as two events in three lost. An endpoint the tenant
// disabled offers no Resend, which would only add a skipped row.
func TestPortalEndpointPageLeadsToItsSettings(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "pendpoint")
	var mu sync.Mutex
	tries := map[string]int{}
	rc := newReceiver(t, func(_ int, r *http.Request, _ []byte) answer {
		mu.Lock()
		defer mu.Unlock()
		id := r.Header.Get("X-Hookrelay-Delivery")
		if tries[id]++; tries[id] < 3 {
			return status(http.StatusServiceUnavailable)
		}
		return status(http.StatusOK)
	})
	hook := tn.createWebhook(rc.url("/third"), "emailClick")
	for range 3 {
		tn.publish("emailClick", clickData)
	}
	testenv.WaitFor(t, patience, "three events delivered at their third attempt", func() bool {
		log, delivered := tn.attempts(hook.ID), 0
		for _, a := range log {
			if a.Outcome == deliverylog.OutcomeDelivered && a.Attempt == 3 {
				delivered++
			}
		}
		return len(log) == 9 && delivered == 3
	})

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/", "table.cards")
	if got := b.text(`td[data-label="Success rate"]`); got != "33% of the last 9 attempts succeeded (retries included)" {
		t.Errorf("the list's success rate says %q", got)
	}
	for _, width := range []int64{390, desktopWidth} {
		b.fitsAt(width, "pendpoint-list-"+strconv.FormatInt(width, 10))
	}

	b.open(s.API+"/portal/webhooks/"+hook.ID, "tr[data-delivery]")
	if got := b.text(`.toolbar a[href="#edit-title"]`); got != "Edit settings" {
		t.Fatalf("the toolbar's link to the Settings says %q", got)
	}
	if !b.truth(`(() => {
		const edit = document.getElementById("edit-title"), log = document.getElementById("log-title");
		return !!(edit.compareDocumentPosition(log) & Node.DOCUMENT_POSITION_FOLLOWING) &&
			edit.closest("section").getBoundingClientRect().bottom <= log.getBoundingClientRect().top })()`) {
		t.Fatalf("the Settings do not come before the attempt log: %s", b.html("main"))
	}
	for _, width := range []int64{390, desktopWidth} {
		name := "pendpoint-endpoint-" + strconv.FormatInt(width, 10)
		b.fitsAt(width, name)
		// Following the link shows the Settings heading and the form's
		// first field on the screen.
		b.truth(`(() => { history.replaceState(null, "", location.pathname); scrollTo(0, 0); return true })()`)
		b.run(chromedp.Click(chromedp.CSS(`.toolbar a[href="#edit-title"]`)))
		b.waitTrue(`location.hash === "#edit-title" && (() => {
			const h = document.getElementById("edit-title").getBoundingClientRect(), f = document.getElementById("name").getBoundingClientRect();
			return h.top >= -1 && h.top < innerHeight && f.bottom <= innerHeight })()`, "the Settings heading and the Name field in view")
		b.viewShot(name + "-edit")
	}

	// A refused Save: its errors and the fields are a screen apart at most.
	b.run(chromedp.EmulateViewport(desktopWidth, desktopHeight))
	b.truth(`(() => { document.getElementById("name").value = ""; return true })()`)
	b.press(`section[aria-labelledby="edit-title"] button[type="submit"]`)
	b.waitNextPage("#problems")
	if !b.truth(`document.getElementById("name").getBoundingClientRect().bottom - document.getElementById("problems").getBoundingClientRect().top <= innerHeight`) {
		t.Errorf("a refused Save's Name field is more than a screen below its errors")
	}
	b.viewShot("pendpoint-refused-save")

	// Disabled by the tenant: no Resend, and the log says why.
	tn.mustCall(http.MethodPatch, "/api/v1/organization/webhooks/"+hook.ID, map[string]any{"enabled": false}, http.StatusOK, nil)
	b.open(s.API+"/portal/webhooks/"+hook.ID, "#resend-off")
	if !b.truth(`document.querySelectorAll('tr[data-delivery]').length === 9 && !document.querySelector('form[action$="/resend"]')`) {
		t.Errorf("the log of an endpoint the tenant disabled offers Resend: %s", b.html("table.log"))
	}
	if got := b.text("#resend-off"); got != "Resend is off while the endpoint is disabled: enable it to resend a delivery." {
		t.Errorf("the log of a disabled endpoint says %q", got)
	}
	for _, width := range []int64{390, desktopWidth} {
		b.fitsAt(width, "pendpoint-disabled-"+strconv.FormatInt(width, 10))
		b.run(chromedp.ScrollIntoView("#resend-off"))
		b.viewShot("pendpoint-disabled-" + strconv.FormatInt(width, 10) + "-log")
	}
}

// TestPortalSecretPageOpensTheGuideInANewTab: the secret is shown once,
// and its page's address is the endpoint's already: the signature guide
// opens in a new tab, signed in too, and the secret stays on screen in
// the first one.
func TestPortalSecretPageOpensTheGuideInANewTab(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "pendsecret")

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/new", "#name")
	b.run(
		chromedp.SendKeys(chromedp.CSS("#name"), "Guide in a new tab"),
		chromedp.SendKeys(chromedp.CSS("#url"), "http://127.0.0.1:9/secret"), // nothing is sent to it
		chromedp.Click(chromedp.CSS(`input[value="emailOpen"]`)),
	)
	b.click(`form button[type="submit"].primary`, "#secret")
	secret := strings.TrimSpace(b.text("#secret"))
	createdSecrets.add(secret)
	for _, width := range []int64{390, desktopWidth} {
		b.fitsAt(width, "pendpoint-secret-"+strconv.FormatInt(width, 10))
	}
	b.run(chromedp.EmulateViewport(desktopWidth, desktopHeight))
	if got := b.text(`.secret-card a[href$="verify"]`); got != "How to verify signatures (opens in a new tab)" {
		t.Errorf("the guide's link says %q", got)
	}
	var hooks []string
	for _, h := range tn.listWebhooks() {
		hooks = append(hooks, h.ID)
	}
	if len(hooks) != 1 {
		t.Fatalf("webhooks after create: %v", hooks)
	}
	tn.hooks = append(tn.hooks, hooks...)

	b.run(chromedp.Click(chromedp.CSS(`.secret-card a[href$="verify"]`)))
	// rel="noopener" leaves the new tab without an opener, which
	// chromedp.WaitNewTarget needs: the tab is found among the browser's.
	var id target.ID
	testenv.WaitFor(t, patience, "the guide in a new tab", func() bool {
		tabs, err := chromedp.Targets(b.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range tabs {
			if i.Type == "page" && strings.HasSuffix(i.URL, "/portal/verify") {
				id = i.TargetID
				return true
			}
		}
		return false
	})
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
	t.Cleanup(cancel)
	tab := &browser{t: t, ctx: ctx}
	// The guide, signed in (its menu), in the new tab; the secret, still
	// on screen, in the first.
	tab.waitTrue(loaded+` && location.pathname.endsWith("/portal/verify") && `+visible("#code-go")+` && !!document.querySelector('nav a[aria-current="page"]')`, "the signed-in guide in the new tab")
	b.waitTrue(`location.pathname.endsWith("/portal/webhooks/`+hooks[0]+`") && document.querySelector("#secret").textContent.trim() === `+strconv.Quote(secret), "the secret still shown in the first tab")
}
