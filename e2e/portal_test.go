package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/portalsession"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/verify"
)

// portalLink asks the API for a portal sign-in URL, as the deploying
// team's backend does.
func (tn *tenant) portalLink() string {
	tn.t.Helper()
	var out struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	tn.mustCall(http.MethodPost, "/api/v1/organization/portal-sessions", nil, http.StatusCreated, &out)
	if !strings.HasPrefix(out.URL, tn.s.API+"/portal/login?token=") || time.Until(out.ExpiresAt) <= 0 {
		tn.t.Fatalf("portal session %+v", out)
	}
	return out.URL
}

// signIn opens a sign-in link and waits for the webhooks list.
func (b *browser) signIn(link string) {
	b.t.Helper()
	b.run(chromedp.Navigate(link))
	b.waitVisible(`a[href$="webhooks/new"]`)
}

// open navigates to url and waits until sel is visible.
func (b *browser) open(url, sel string) {
	b.t.Helper()
	b.run(chromedp.Navigate(url))
	b.waitVisible(sel)
}

// click clicks an element and waits until sel is visible on the next page.
func (b *browser) click(target, thenVisible string) {
	b.t.Helper()
	b.press(target)
	b.waitNextPage(thenVisible)
}

// TestPortalWholeFlow is the seeds' dashboard flow in a real browser:
// create a webhook for two event types, copy the secret shown once, verify
// a test delivery with it, see it in the attempt log, resend it, rotate
// the secret, disable and delete the endpoint.
func TestPortalWholeFlow(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "portal")
	rc := newReceiver(t, nil)
	b := newBrowser(t, desktopWidth, desktopHeight)

	b.signIn(tn.portalLink())
	if got := b.text(".empty h2"); got != "No webhooks yet" {
		t.Fatalf("empty list says %q", got)
	}
	b.screenshot("list-empty", "")

	b.click(`a.button.primary[href$="webhooks/new"]`, "#name")
	b.screenshot("create-empty", "")

	b.run(
		chromedp.SendKeys(chromedp.CSS("#name"), "Orders endpoint"),
		chromedp.SendKeys(chromedp.CSS("#url"), rc.url("/hooks")),
		chromedp.Click(chromedp.CSS(`input[value="emailOpen"]`)),
		chromedp.Click(chromedp.CSS(`input[value="emailClick"]`)),
	)
	b.screenshot("create-filled", "portal-create.png")

	// The API's own error appears next to the URL field, in words, and the
	// form keeps what was typed.
	b.run(chromedp.SetValue(chromedp.CSS("#url"), "http://example.com/hooks"))
	b.click(`form button[type="submit"].primary`, "#url-error")
	if msg := b.text("#url-error"); !strings.Contains(msg, "https") {
		t.Fatalf("url error %q does not say why", msg)
	}
	if !b.truth(`document.querySelector('input[value="emailOpen"]').checked && document.querySelector('input[value="emailClick"]').checked && document.querySelector('#name').value === "Orders endpoint"`) {
		t.Fatal("the form lost what was typed")
	}
	b.focusGoesToTheErrors("url")
	b.screenshot("create-error", "")
	b.run(chromedp.SetValue(chromedp.CSS("#url"), rc.url("/hooks")))
	b.click(`form button[type="submit"].primary`, "#secret")
	secret := strings.TrimSpace(b.text("#secret"))
	createdSecrets.add(secret) // the secret audit searches the stack for it
	if !strings.HasPrefix(secret, "whsec_") || !strings.Contains(b.text(".warning"), "won't see it again") {
		t.Fatalf("secret %q / warning not shown", secret)
	}
	b.screenshot("created-secret", "")
	b.copyFallsBackToSelecting(secret)

	hooks := tn.listWebhooks()
	if len(hooks) != 1 || hooks[0].URL != rc.url("/hooks") || strings.Join(hooks[0].EventTypes, ",") != "emailClick,emailOpen" && strings.Join(hooks[0].EventTypes, ",") != "emailOpen,emailClick" {
		t.Fatalf("webhooks after create: %+v", hooks)
	}
	id := hooks[0].ID
	tn.hooks = append(tn.hooks, id)
	if !b.truth(`document.querySelector('a.button[href$="webhooks/` + id + `"]') !== null && document.querySelector('button.primary[data-copy="secret"]') !== null`) {
		t.Fatal("the secret page has no link to the endpoint")
	}
	// The page's address is the endpoint's: a reload shows the endpoint,
	// without the secret, and creates nothing.
	b.reloadShowsTheEndpoint(id, "create")
	if n := len(tn.listWebhooks()); n != 1 {
		t.Fatalf("a reload after create left %d webhooks", n)
	}

	// Send a test event and verify it with the secret read from the page.
	// Its notice is said once: a reload does not say it again.
	b.click(`form[action$="/test"] button`, ".notice")
	b.noticeShownOnce()
	first := rc.waitHits(t, 1, patience)[0]
	if err := verify.Verify(secret, first.header, first.body, "Hookrelay", first.at); err != nil {
		t.Fatalf("the test delivery does not verify with the secret shown: %v", err)
	}
	if ev := first.header.Get("X-Hookrelay-Event"); ev != "webhook.test" {
		t.Fatalf("event header %q", ev)
	}
	b.reloadUntil(patience, "the delivered attempt in the log",
		`[...document.querySelectorAll('tr[data-delivery]')].some(r => r.textContent.includes('Delivered') && r.textContent.includes('webhook.test'))`)
	b.screenshot("endpoint", "portal-endpoint.png")

	// Resend: the same delivery id arrives again and a second attempt is logged.
	b.press(`tr[data-delivery="` + first.delivery() + `"] form[action$="/resend"] button`)
	b.waitNextPage(".notice")
	if got := b.text(".notice"); !strings.Contains(got, "queued again") {
		t.Fatalf("after Resend the page says %q", got)
	}
	second := rc.waitHits(t, 2, patience)[1]
	if second.delivery() != first.delivery() {
		t.Fatalf("resend delivered %s, want the same delivery %s", second.delivery(), first.delivery())
	}
	// The signed ids a receiver deduplicates on are the same too, and the
	// delivery id among them is the header's.
	strict := verify.Verifier{Secrets: []string{secret}, RequireStandardWebhooks: true}
	ids := [2]verify.Delivery{}
	for i, h := range []hit{first, second} {
		d, err := strict.VerifyDelivery(h.header, h.body, h.at)
		if err != nil || d.EventID == "" || d.DeliveryID != first.delivery() {
			t.Fatalf("delivery %d: signed ids %+v, %v; want the event's id and delivery %s", i+1, d, err, first.delivery())
		}
		ids[i] = d
	}
	if ids[0] != ids[1] {
		t.Fatalf("the resend's signed ids %+v differ from the first delivery's %+v", ids[1], ids[0])
	}
	b.reloadUntil(patience, "the resent attempt in the log",
		`document.querySelectorAll('tr[data-delivery="`+first.delivery()+`"]').length >= 2`)
	// Each row names its event id (the payload's id, which the receiver
	// deduplicates on) and its delivery id (webhook-id).
	if !b.truth(`[...document.querySelectorAll('tr[data-delivery="` + first.delivery() + `"]')].every(r =>
		[...r.querySelectorAll('.ids code')].map(c => c.textContent).join(" ") === "` + ids[0].EventID + ` ` + first.delivery() + `")`) {
		t.Fatalf("the log's rows do not show event %s and delivery %s: %s", ids[0].EventID, first.delivery(), b.html("table.log"))
	}

	// Filter the log by outcome.
	b.open(s.API+"/portal/webhooks/"+id+"?outcome=dead_lettered", ".empty-log")

	// Rotate: a new secret, the old one's expiry, and deliveries that verify with the new one.
	// Rotate secret asks first, saying how long the current secret lasts.
	b.open(s.API+"/portal/webhooks/"+id, `a[href$="/rotate"]`)
	b.click(`a[href$="/rotate"]`, `form[action$="/rotate"] button`)
	if got := b.text("main"); !strings.Contains(got, "Rotate the signing secret?") || !strings.Contains(got, "keeps working for 24 hours after the rotation") || !strings.Contains(got, "Only one previous secret is kept") {
		t.Fatalf("the rotate confirmation says %q", got)
	}
	b.screenshot("rotate-confirm", "")
	b.click(`form[action$="/rotate"] button`, "#secret")
	rotated := strings.TrimSpace(b.text("#secret"))
	createdSecrets.add(rotated)
	if rotated == secret || !strings.HasPrefix(rotated, "whsec_") || !strings.Contains(b.text("#previous-expiry"), "UTC") {
		t.Fatalf("rotation shows %q", rotated)
	}
	b.screenshot("rotated-secret", "")
	b.reloadShowsTheEndpoint(id, "rotate")
	b.click(`form[action$="/test"] button`, ".notice")
	third := rc.waitHits(t, 3, patience)[2]
	// The delivery side sees the rotation when its webhook cache (10 s) expires,
	// so this one is signed with the old secret, the new one or both: a
	// receiver holding both during the grace period accepts it.
	migrating := verify.Verifier{Secrets: []string{rotated, secret}, Prefix: "Hookrelay"}
	if err := migrating.Verify(third.header, third.body, third.at); err != nil {
		t.Fatalf("delivery after rotation does not verify with the two secrets: %v", err)
	}

	// Edit: no event at all is refused next to the event picker; then
	// switch to all events with the toggle, and save.
	b.open(s.API+"/portal/webhooks/"+id, "#all_events")
	b.run(
		chromedp.Click(chromedp.CSS(`input[value="emailOpen"]`)),
		chromedp.Click(chromedp.CSS(`input[value="emailClick"]`)),
	)
	b.click(`section[aria-labelledby="edit-title"] button[type="submit"]`, "#types-error")
	if msg := b.text("#types-error"); !strings.Contains(msg, "Choose the events to send") {
		t.Fatalf("types error %q", msg)
	}
	if hk := tn.getWebhook(id); len(hk.EventTypes) != 2 {
		t.Fatalf("a refused edit changed the events to %v", hk.EventTypes)
	}
	b.run(chromedp.Click(chromedp.CSS("#all_events")))
	if !b.truth(`document.querySelector('input[value="emailOpen"]').disabled`) {
		t.Error("with All events on, the single types stay selectable")
	}
	b.click(`section[aria-labelledby="edit-title"] button[type="submit"]`, ".notice")
	if hk := tn.getWebhook(id); strings.Join(hk.EventTypes, ",") != "*" {
		t.Fatalf("after saving All events: event_types %v", hk.EventTypes)
	}

	// Disable asks first, saying events meanwhile are not kept; then
	// delete with confirmation.
	b.click(`a[href$="/disable"]`, `form[action$="/enabled"] button.danger`)
	if got := b.text("main"); !strings.Contains(got, "Disable this webhook?") || !strings.Contains(got, "Events sent while it is disabled are not kept") {
		t.Fatalf("the disable confirmation says %q", got)
	}
	if hk := tn.getWebhook(id); !hk.Enabled {
		t.Fatal("the endpoint was disabled before the confirmation")
	}
	b.screenshot("disable-confirm", "")
	b.click(`form[action$="/enabled"] button.danger`, ".badge.off")
	if hk := tn.getWebhook(id); hk.Enabled {
		t.Fatal("the endpoint is still enabled after Disable")
	}
	b.click(`a[href$="/delete"]`, `form[action$="/delete"] button.danger`)
	b.screenshot("delete-confirm", "")
	b.click(`form[action$="/delete"] button.danger`, ".empty")
	if got := b.text(".notice"); !strings.Contains(got, "deleted") {
		t.Fatalf("after delete the list says %q", got)
	}
	if status, _ := tn.call(http.MethodGet, "/api/v1/organization/webhooks/"+id, nil); status != http.StatusNotFound {
		t.Fatalf("deleted webhook: GET %d, want 404", status)
	}
}

// TestPortalPagesAtPhoneWidth walks every page at 375 px: nothing is wider
// than the screen, and each page gets a screenshot. The endpoint's name is
// 60 characters without a space (an identifier, a pasted URL): it wraps in
// the breadcrumb and in the confirmations' text instead of pushing the
// page sideways or running off the card.
func TestPortalPagesAtPhoneWidth(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "phone")
	rc := newReceiver(t, nil)
	hook := tn.createWebhook(rc.url("/phone"), "emailOpen", "emailClick")
	tn.mustCall(http.MethodPatch, "/api/v1/organization/webhooks/"+hook.ID,
		map[string]any{"name": "ProductionOrdersEndpointForTheEuropeanWarehouseSystemV2Final"}, http.StatusOK, nil)
	var q struct {
		DeliveryID string `json:"delivery_id"`
	}
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+hook.ID+"/test", nil, http.StatusAccepted, &q)
	rc.waitHits(t, 1, patience)

	b := newBrowser(t, phoneWidth, phoneHeight)
	b.signIn(tn.portalLink())
	pages := []struct{ name, path, visible string }{
		{"list", "/portal/", "table.cards"},
		{"create", "/portal/webhooks/new", "#name"},
		{"endpoint", "/portal/webhooks/" + hook.ID, `form[action$="/test"] button`},
		{"delete", "/portal/webhooks/" + hook.ID + "/delete", "button.danger"},
		{"disable", "/portal/webhooks/" + hook.ID + "/disable", "button.danger"},
		{"rotate", "/portal/webhooks/" + hook.ID + "/rotate", `form[action$="/rotate"] button`},
		{"events", "/portal/events", ".event-doc"},
		{"verify", "/portal/verify", "#code-go"},
	}
	for _, p := range pages {
		b.open(s.API+p.path, p.visible)
		if p.name == "endpoint" {
			b.reloadUntil(patience, "the attempt in the log", `document.querySelectorAll('tr[data-delivery]').length > 0`)
			// The card layout shows the delivery id too.
			b.waitTrue(visible(`tr[data-delivery="`+q.DeliveryID+`"] .ids dd`)+` && document.querySelector('tr[data-delivery] .ids').textContent.includes("`+q.DeliveryID+`")`, "the delivery id in the card")
		}
		b.noHorizontalScroll(p.name)
		b.fitsItsBoxes("phone-" + p.name)
		b.headerTakes(2, p.name)
		b.everyInputLabelled(p.name)
		b.screenshot("phone-"+p.name, "")
		b.viewShot("phone-" + p.name + "-top")
	}
	// The one-time secret page (after Rotate secret) fits too: its
	// "I've stored it" button wraps.
	b.open(s.API+"/portal/webhooks/"+hook.ID+"/rotate", `form[action$="/rotate"] button`)
	b.click(`form[action$="/rotate"] button`, "#secret")
	createdSecrets.add(strings.TrimSpace(b.text("#secret")))
	b.noHorizontalScroll("secret")
	b.screenshot("phone-secret", "")

	// Keyboard only: Tab from the top of the list reaches "Create webhook",
	// and Enter on it opens the create form.
	b.open(s.API+"/portal/", "table.cards")
	reached := false
	for range 12 {
		b.run(chromedp.KeyEvent(kb.Tab))
		if b.truth(`document.activeElement && document.activeElement.textContent.trim() === "Create webhook"`) {
			reached = true
			break
		}
	}
	if !reached {
		t.Fatal(`Tab never reached "Create webhook"`)
	}
	b.run(chromedp.KeyEvent(kb.Enter))
	b.waitVisible("#name")

	// Desktop screenshots of the read-only pages too (the last two).
	d := newBrowser(t, desktopWidth, desktopHeight)
	d.signIn(tn.portalLink())
	d.screenshot("list", "")
	for _, p := range pages[len(pages)-2:] {
		d.open(s.API+p.path, p.visible)
		d.fitsItsBoxes(p.name)
		d.headerTakes(1, p.name)
		d.screenshot(p.name, "")
	}
	if got := d.text("#code-go"); !strings.Contains(got, `verify.VerifyDelivery(secret, r.Header, body, "Hookrelay"`) {
		t.Fatalf("the Go snippet does not use this deployment's prefix: %s", got)
	}
	// A code sample's Copy is said to screen readers too, in the live
	// region the script puts beside a Copy button that has none of its own.
	d.truth(`(() => { navigator.clipboard.writeText = () => Promise.resolve(); return true })()`)
	d.press(`button[data-copy="code-go"]`)
	d.waitTrue(`(() => { const s = document.querySelector('button[data-copy="code-go"]').nextElementSibling;
		return s.getAttribute("role") === "status" && s.getAttribute("aria-live") === "polite" && s.textContent.includes("Copied") })()`, "the code's copy said in a live region")

	// A path no route serves keeps the signed-in menu: the session cookie
	// reaches it too.
	d.open(s.API+"/portal/webhooks/"+hook.ID+"/nosuch", `nav a[href="../../verify"]`)
	if got := d.text("main h1"); got != "Page not found" {
		t.Fatalf("an unknown path's page says %q", got)
	}
	d.screenshot("not-found", "")
}

// TestPortalIsolationAndLinks: another organization's portal sees none of
// the first's endpoints; expired and reused links are refused.
func TestPortalIsolationAndLinks(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	a := newTenant(t, s, "owner")
	other := newTenant(t, s, "other")
	hook := a.createWebhook("http://127.0.0.1:9/owner", "emailOpen")

	link := other.portalLink()
	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(link)
	html := b.html("main")
	if strings.Contains(html, hook.ID) || !strings.Contains(html, "No webhooks yet") {
		t.Fatalf("the other org's portal shows: %s", html)
	}
	b.open(s.API+"/portal/webhooks/"+hook.ID, "main h1")
	if got := b.text("main h1"); got != "Not found" {
		t.Fatalf("another org's endpoint page: %q, want Not found", got)
	}
	// Signed in, so the page keeps the menu and leads back to the list.
	if !b.truth(`!!document.querySelector('nav a[aria-current="page"]') && [...document.querySelectorAll('main a.button')].some(a => a.textContent === "Back to your webhooks")`) {
		t.Fatalf("the Not found page has no menu or way back: %s", b.html("body"))
	}
	b.screenshot("not-found", "")
	b.click(`main a.button`, "table.cards, .empty")

	// The link was used: a second browser gets nowhere with it.
	again := newBrowser(t, desktopWidth, desktopHeight)
	again.open(link, "main h1")
	if got := again.text("main h1"); got != "This link has expired" {
		t.Fatalf("reused link: %q", got)
	}
	again.screenshot("link-expired", "")

	// An expired link (stored as the API stores it, with a past expiry).
	token := "EXPIREDLINKTOKEN" + strings.ToUpper(a.org[len(a.org)-6:])
	store := dynamo.NewPortalTokenStore(s.Dynamo, s.Config.Table)
	if err := store.Put(context.Background(), portalsession.Token{
		Kind: portalsession.KindLogin, Hash: portalsession.Hash(token), OrgID: a.org, ExpiresAt: time.Now().Add(-time.Second),
	}); err != nil {
		t.Fatal(err)
	}
	again.open(s.API+portalsession.LoginPath+"?token="+token, "main h1")
	if got := again.text("main h1"); got != "This link has expired" {
		t.Fatalf("expired link: %q", got)
	}
	// And without a session every page asks to sign in again.
	again.open(s.API+"/portal/", "main h1")
	if got := again.text("main h1"); got != "Your session has ended" {
		t.Fatalf("no session: %q", got)
	}
}

type listedWebhook struct {
	ID         string   `json:"id"`
	URL        string   `json:"url"`
	EventTypes []string `json:"event_types"`
	Enabled    bool     `json:"enabled"`
}

// listWebhooks reads the organization's webhooks through the JSON API.
func (tn *tenant) listWebhooks() []listedWebhook {
	tn.t.Helper()
	var page struct {
		Data []listedWebhook `json:"data"`
	}
	tn.mustCall(http.MethodGet, "/api/v1/organization/webhooks", nil, http.StatusOK, &page)
	return page.Data
}

func (tn *tenant) getWebhook(id string) listedWebhook {
	tn.t.Helper()
	var w listedWebhook
	tn.mustCall(http.MethodGet, "/api/v1/organization/webhooks/"+id, nil, http.StatusOK, &w)
	return w
}

// TestPortalShowsTheDeployingTeamsBrand: product name, accent colour and
// logo come from the environment (CDK context in AWS), and the CSP admits
// the logo's origin and the configured framing origins.
func TestPortalShowsTheDeployingTeamsBrand(t *testing.T) {
	t.Parallel()
	env := testEnv()
	env["HOOKRELAY_PORTAL_PRODUCT_NAME"] = "Acme CRM"
	env["HOOKRELAY_PORTAL_ACCENT_COLOR"] = "#facc15" // light: white text on it would be 1.5:1
	env["HOOKRELAY_PORTAL_LOGO_URL"] = "https://cdn.acme.example/logo.svg"
	env["HOOKRELAY_PORTAL_FRAME_ANCESTORS"] = "https://app.acme.example"
	s := startTestStack(t, devrun.Options{Env: env})
	tn := newTenant(t, s, "brand")

	_, signedIn := signInHTTP(t, tn)
	csp := signedIn.Header.Get("Content-Security-Policy")
	for _, want := range []string{"img-src 'self' https://cdn.acme.example;", "frame-ancestors https://app.acme.example"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if xfo := signedIn.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options %q would forbid the allowed framing", xfo)
	}

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	if got := b.text(".brand-name"); got != "Acme CRM" {
		t.Fatalf("header shows %q", got)
	}
	if !b.truth(`document.querySelector('img.logo').getAttribute('src') === "https://cdn.acme.example/logo.svg"`) {
		t.Error("the logo is not shown")
	}
	if !b.truth(`getComputedStyle(document.querySelector('a.button.primary')).backgroundColor === "rgb(250, 204, 21)"`) {
		t.Error("the primary button does not use the accent colour")
	}
	// On a light accent the button's text is dark, and links use the
	// accent darkened until it reads on the page (4.5:1).
	if !b.truth(`getComputedStyle(document.querySelector('a.button.primary')).color === "rgb(17, 24, 39)"`) {
		t.Error("the primary button's text is not dark on the light accent")
	}
	if !b.truth(`(() => {
		const hex = getComputedStyle(document.documentElement).getPropertyValue('--accent-text').trim();
		const a = document.createElement('a'); a.href = '#'; a.textContent = 'x'; document.querySelector('main').appendChild(a);
		const color = getComputedStyle(a).color; a.remove();
		return /^#[0-9a-f]{6}$/.test(hex) && hex !== "#facc15" && color === 'rgb(' + [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)).join(', ') + ')' })()`) {
		t.Error("links do not use the darkened accent")
	}
	b.screenshot("brand", "")
}

// TestPortalAttemptLogPages: the attempt log shows 20 attempts a page and
// pages on with the API's cursor.
func TestPortalAttemptLogPages(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "pages")
	rc := newReceiver(t, nil)
	hook := tn.createWebhook(rc.url("/pages"), "emailOpen")
	const sent = 21
	for range sent {
		tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+hook.ID+"/test", nil, http.StatusAccepted, nil)
	}
	rc.waitHits(t, sent, patience)
	testenv.WaitFor(t, patience, "every attempt in the log", func() bool { return len(tn.attempts(hook.ID)) == sent })

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/"+hook.ID, "tr[data-delivery]")
	if !b.truth(`document.querySelectorAll('tr[data-delivery]').length === 20`) {
		t.Fatal("the first page does not hold 20 attempts")
	}
	b.press(`a[href*="cursor="]`)
	b.waitTrue(`location.search.includes("cursor=") && document.readyState === "complete"`, "the older page")
	if !b.truth(`document.querySelectorAll('tr[data-delivery]').length === 1`) {
		t.Fatalf("the second page does not hold the 21st attempt: %s", b.html("main"))
	}
	if b.truth(`!!document.querySelector('a[href*="cursor="]')`) {
		t.Error("the last page links to an older one")
	}

	// An edited page link leads back to this log's first page, not to the
	// list of webhooks.
	b.open(s.API+"/portal/webhooks/"+hook.ID+"?cursor=edited", "main a.button.primary")
	if got := b.text("main h1"); got != "Page link not valid" {
		t.Fatalf("an edited page link: %q", got)
	}
	for _, width := range []int64{390, desktopWidth} {
		b.fitsAt(width, "page-link-not-valid-"+strconv.FormatInt(width, 10))
	}
	b.click("main a.button.primary", "tr[data-delivery]")
	if !b.truth(`location.pathname.endsWith("/portal/webhooks/` + hook.ID + `") && location.search === "" && document.querySelectorAll('tr[data-delivery]').length === 20`) {
		t.Fatalf("the button of an edited page link led to %s", b.html("main"))
	}
}

// TestPortalListWrapsALongName: a name of 100 letters without a space
// (the API's limit) wraps in its cell; the list's other columns stay in
// view at desktop width instead of behind a horizontal scrollbar. The
// events page's examples wrap the same way.
func TestPortalListWrapsALongName(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "longname")
	hook := tn.createWebhook("http://127.0.0.1:9/long", "emailOpen") // nothing is sent to it
	tn.mustCall(http.MethodPatch, "/api/v1/organization/webhooks/"+hook.ID,
		map[string]any{"name": strings.Repeat("é", 100)}, http.StatusOK, nil)

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/", "table.cards")
	if !b.truth(`(() => { const w = document.querySelector(".table-wrap"); return w.scrollWidth <= w.clientWidth })()`) {
		b.screenshot("list-long-name", "")
		t.Fatal("the list scrolls sideways with a long name")
	}
	// The catalog's examples (indented JSON) keep their lines, as code
	// samples do: one wider than its column scrolls inside its box, and
	// the page does not scroll sideways.
	b.open(s.API+"/portal/events", ".event-doc pre")
	b.wrapsOnlyAfter("events", ".event-doc pre code", "\n")
	b.noHorizontalScroll("events")
	b.fitsItsBoxes("events")
}

// copyFallsBackToSelecting: Copy says it copied, to screen readers too
// (a live region); where the browser refuses the clipboard (a cross-origin
// iframe without allow="clipboard-write") it selects the secret for the
// keyboard's copy and says so.
func (b *browser) copyFallsBackToSelecting(secret string) {
	b.t.Helper()
	b.truth(`(() => { navigator.clipboard.writeText = () => Promise.resolve(); return true })()`)
	b.press(`button[data-copy="secret"]`)
	b.waitTrue(`document.querySelector('button[data-copy="secret"]').textContent === "Copied" &&
		document.querySelector('[data-copy-status="secret"][aria-live="polite"]').textContent.includes("Copied")`, "Copied, in the button and the live region")
	b.truth(`(() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException("blocked by permissions policy", "NotAllowedError"));
		document.execCommand = () => false; window.getSelection().removeAllRanges(); return true })()`)
	b.press(`button[data-copy="secret"]`)
	b.waitTrue(`document.querySelector('button[data-copy="secret"]').textContent.includes("Ctrl+C") &&
		window.getSelection().toString().trim() === `+strconv.Quote(secret)+` &&
		document.querySelector('[data-copy-status="secret"]').textContent.includes("selected")`, "the secret selected for the keyboard's copy")
	b.screenshot("copy-refused", "")
}

// noticeShownOnce: the notice a redirect's ?done= brought leaves the
// address once shown, so a reload of the page does not show it again.
func (b *browser) noticeShownOnce() {
	b.t.Helper()
	b.waitTrue(visible(".notice")+` && !new URLSearchParams(location.search).has("done")`, "the notice, and done= gone from the address")
	b.truth(`(() => { window.` + pressedMark + ` = true; return true })()`)
	b.run(chromedp.Reload())
	b.waitNextPage("main h1")
	if b.truth(`!!document.querySelector(".notice")`) {
		b.t.Fatalf("a reload showed the notice again: %s", b.html("main"))
	}
}

// focusGoesToTheErrors: after a refused submit the focus is on the alert,
// and the alert's link to field moves the focus to that field.
func (b *browser) focusGoesToTheErrors(field string) {
	b.t.Helper()
	b.waitTrue(`document.activeElement === document.querySelector("#problems")`, "the focus on the alert")
	b.press(`#problems a[data-field="` + field + `"]`)
	b.waitTrue(`document.activeElement === document.getElementById("`+field+`")`, "the focus on #"+field)
}

// TestPortalLogKeepsEventNamesWhole: at desktop width an event name stays
// on one line in the attempt log, even beside a long response excerpt
// ("emailCli / ck").
func TestPortalLogKeepsEventNamesWhole(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "lognames")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, strings.Repeat("upstream database timeout while processing the webhook; ", 20))
	})) // binds 127.0.0.1
	t.Cleanup(srv.Close)
	hook := tn.createWebhook(srv.URL+"/names", "emailOpen")
	tn.mustCall(http.MethodPost, "/api/v1/organization/webhooks/"+hook.ID+"/test", nil, http.StatusAccepted, nil)
	testenv.WaitFor(t, patience, "the failed test in the log", func() bool { return len(tn.attempts(hook.ID)) > 0 })

	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/"+hook.ID, "tr[data-delivery] .excerpt")
	b.screenshot("log-event-names", "")
	if !b.truth(`[...document.querySelectorAll('.log .event-name')].every(c => c.getClientRects().length === 1)`) {
		t.Fatalf("an event name breaks across lines: %s", b.html("table.log"))
	}
	// The fields' borders reach 3:1 on white (WCAG 1.4.11).
	if !b.truth(`(() => {
		const lum = c => { const v = c.match(/\d+/g).slice(0, 3).map(n => { n /= 255; return n <= 0.04045 ? n / 12.92 : Math.pow((n + 0.055) / 1.055, 2.4) });
			return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2] };
		return [...document.querySelectorAll('input[type=text], input[type=url], select')].every(e => 1.05 / (lum(getComputedStyle(e).borderTopColor) + 0.05) >= 3) })()`) {
		t.Fatal("a field's border is under 3:1 on white")
	}
}
