package e2e

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var onceField = regexp.MustCompile(`name="once" value="([A-Z2-7]+)"`)

// formOnce reads a portal page's form: its CSRF token and one-time value.
func (pc *portalClient) formOnce(page string) (csrf, once string) {
	pc.t.Helper()
	res, body := pc.do(http.MethodGet, page, nil, nil)
	c, o := csrfField.FindStringSubmatch(body), onceField.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || c == nil || o == nil {
		pc.t.Fatalf("GET %s: %d, csrf %v, one-time value %v", page, res.StatusCode, c != nil, o != nil)
	}
	return c[1], o[1]
}

// TestPortalFormsSentTwiceActOnce: the same Create or Rotate secret form
// posted twice (a double click, a retried POST) acts once, and the second
// answer is the endpoint's page, without a secret.
func TestPortalFormsSentTwiceActOnce(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "once")
	pc, _ := signInHTTP(t, tn)
	origin := map[string]string{"Origin": s.API, "Sec-Fetch-Site": "same-origin"}

	csrf, once := pc.formOnce(s.API + "/portal/webhooks/new")
	form := url.Values{"csrf": {csrf}, "once": {once}, "name": {"Twice"}, "url": {"http://127.0.0.1:9/twice"}, "event_types": {"emailOpen"}}
	res, page := pc.do(http.MethodPost, s.API+"/portal/webhooks/new", form, origin)
	secret := shownSecret.FindStringSubmatch(page)
	if res.StatusCode != http.StatusCreated || secret == nil {
		t.Fatalf("create: %d", res.StatusCode)
	}
	createdSecrets.add(html.UnescapeString(secret[1]))
	hooks := tn.listWebhooks()
	if len(hooks) != 1 {
		t.Fatalf("after one create: %+v", hooks)
	}
	id := hooks[0].ID
	tn.hooks = append(tn.hooks, id)
	res, page = pc.do(http.MethodPost, s.API+"/portal/webhooks/new", form, origin)
	if hooks := tn.listWebhooks(); len(hooks) != 1 {
		t.Fatalf("the create form sent twice made %d webhooks", len(hooks))
	}
	if res.Request.URL.Path != "/portal/webhooks/"+id || strings.Contains(page, "whsec_") || !strings.Contains(page, "the webhook was created once") {
		t.Fatalf("the second create answered %d at %s:\n%s", res.StatusCode, res.Request.URL, page)
	}

	csrf, once = pc.formOnce(s.API + "/portal/webhooks/" + id + "/rotate")
	form = url.Values{"csrf": {csrf}, "once": {once}}
	res, page = pc.do(http.MethodPost, s.API+"/portal/webhooks/"+id+"/rotate", form, origin)
	rotated := shownSecret.FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || rotated == nil {
		t.Fatalf("rotate: %d", res.StatusCode)
	}
	createdSecrets.add(html.UnescapeString(rotated[1]))
	res, page = pc.do(http.MethodPost, s.API+"/portal/webhooks/"+id+"/rotate", form, origin)
	if res.Request.URL.Path != "/portal/webhooks/"+id || strings.Contains(page, "whsec_") || !strings.Contains(page, "the secret was rotated once, not again") {
		t.Fatalf("the second rotate answered %d at %s:\n%s", res.StatusCode, res.Request.URL, page)
	}
}

// TestPortalSendsAFormOnce: in the browser a second press of a form's
// submit button, before the answer came, sends nothing more, and the
// button is disabled.
func TestPortalSendsAFormOnce(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "sendonce")
	hook := tn.createWebhook("http://127.0.0.1:9/sendonce", "emailOpen")
	b := newBrowser(t, desktopWidth, desktopHeight)
	b.signIn(tn.portalLink())
	b.open(s.API+"/portal/webhooks/"+hook.ID+"/rotate", `form[action$="/rotate"] button`)
	// The test's own listener, after the page's, counts the submissions
	// that would leave and keeps them all in the page.
	if !b.truth(`(() => {
		const f = document.querySelector('form[action$="/rotate"]');
		window.sent = 0;
		f.addEventListener("submit", e => { if (!e.defaultPrevented) window.sent++; e.preventDefault(); });
		const button = f.querySelector('button[type="submit"]');
		button.click();
		button.click();
		return window.sent === 1; })()`) {
		t.Fatal("two presses of Rotate secret sent the form twice")
	}
	b.waitTrue(`document.querySelector('form[action$="/rotate"] button[type="submit"]').disabled`, "the pressed button disabled")
	// A submission the browser dropped (Escape stops a page load) must
	// not leave the form dead: after Escape a press sends it again.
	if !b.truth(`(() => {
		document.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape", bubbles: true}));
		document.querySelector('form[action$="/rotate"] button[type="submit"]').click();
		return window.sent === 2; })()`) {
		t.Fatal("after Escape a press of Rotate secret sent nothing: the form stays dead until a reload")
	}
}
