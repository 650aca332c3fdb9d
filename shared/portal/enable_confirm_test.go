package portal

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// confirmForms finds a confirmation page's forms: action, then the
// hidden fields and the button's class and label, in page order.
var confirmForms = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*>(.*?)</form>`)

// Enable on an endpoint disabled for failing clears its failure run, and
// the run's dead letters with it from what the page can recover: it asks
// first, saying so, with Recover as the primary action. Opening the
// question changes nothing.
func TestEnablingAFailedEndpointAsksFirstAndOffersRecover(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": true, "queued": 20}
	}}
	h := testHandler(t, api)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	if strings.Contains(page, `action="../webhooks/wh_1/enabled"`) || !strings.Contains(page, `href="../webhooks/wh_1/enable"`) {
		t.Fatalf("the endpoint page enables a failed endpoint in one click, or has no Enable…:\n%s", page)
	}

	w := get(h, h.confirmEnable, "/portal/webhooks/wh_1/enable")
	confirm := w.Body.String()
	text := words(confirm)
	for _, want := range []string{
		"Enable this webhook?",
		"has 20 failed deliveries in a row since 2026-11-23 09:15:07 UTC. Enable does not send them",
		"afterwards this page no longer offers them to Recover.",
		"Recover sends them: it enables the endpoint and sends again what it missed since then, with the events held for it.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the Enable confirmation does not say %q:\n%s", want, text)
		}
	}
	var forms [][]string // the sign-out form left out
	for _, f := range confirmForms.FindAllStringSubmatch(confirm, -1) {
		if strings.Contains(f[1], "/wh_1/") {
			forms = append(forms, f)
		}
	}
	if w.Code != http.StatusOK || len(forms) != 2 {
		t.Fatalf("the Enable confirmation: %d with %d forms, want 200 with Recover and Enable anyway:\n%s", w.Code, len(forms), confirm)
	}
	recoverForm, enableForm := forms[0], forms[1]
	if !strings.HasSuffix(recoverForm[1], "/wh_1/recover") || !strings.Contains(recoverForm[2], `class="button primary">Recover</button>`) ||
		!strings.Contains(recoverForm[2], `name="since" value="2026-11-23T09:15:07Z"`) {
		t.Errorf("the first form is not the primary Recover from the run's start: %s", recoverForm[0])
	}
	if !strings.HasSuffix(enableForm[1], "/wh_1/enabled") || !strings.Contains(enableForm[2], `name="enabled" value="true"`) ||
		!strings.Contains(enableForm[2], `>Enable anyway</button>`) || strings.Contains(enableForm[2], "primary") {
		t.Errorf("the second form is not a secondary Enable anyway: %s", enableForm[0])
	}
	for _, req := range api.requests {
		if !strings.HasPrefix(req, "GET ") {
			t.Fatalf("opening the confirmation changed something: %s", req)
		}
	}

	// Each form does what it says.
	for _, c := range []struct {
		form []string
		fn   func(*visit) error
		want string
	}{
		{recoverForm, h.recoverEndpoint, `POST /api/v1/organization/webhooks/wh_1/recover {"since":"2026-11-23T09:15:07Z"}`},
		{enableForm, h.setEnabled, `PATCH /api/v1/organization/webhooks/wh_1 {"event_types":null,"enabled":true}`},
	} {
		form := url.Values{}
		for _, in := range hiddenInputs.FindAllStringSubmatch(c.form[2], -1) {
			form.Set(in[1], html.UnescapeString(in[2]))
		}
		api.requests = nil
		if w := post(h, c.fn, "/portal/webhooks/wh_1/x", form); w.Code != http.StatusSeeOther || len(api.requests) == 0 || api.requests[len(api.requests)-1] != c.want {
			t.Errorf("%s: %d, API requests %q, want %q", c.form[1], w.Code, api.requests, c.want)
		}
	}
}

// Enable stays one click where it loses nothing: an endpoint its tenant
// disabled with no failure run. An enabled endpoint's question leads back
// to its page.
func TestEnableAsksOnlyWhenItWouldDropAFailureRun(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledByTenantHook()}
	h := testHandler(t, api)
	if page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); !strings.Contains(page, `action="../webhooks/wh_1/enabled"`) {
		t.Errorf("a tenant-disabled endpoint without a run has no one-click Enable:\n%s", words(page))
	}
	// Disabled by the tenant while failing: the run is kept, and asked about.
	api.hook = failingHook()
	api.hook.Enabled = false
	if page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); strings.Contains(page, `action="../webhooks/wh_1/enabled"`) {
		t.Errorf("a tenant-disabled endpoint with a failure run enables in one click")
	}
	if text := words(get(h, h.confirmEnable, "/portal/webhooks/wh_1/enable").Body.String()); !strings.Contains(text, "has 7 failed deliveries in a row since 2026-11-23 09:15:07 UTC. Enable does not send them") || strings.Contains(text, "held") {
		t.Errorf("the tenant-disabled endpoint's Enable confirmation:\n%s", text)
	}
	api.hook = healthyHook()
	if w := get(h, h.confirmEnable, "/portal/webhooks/wh_1/enable"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "../../webhooks/wh_1" {
		t.Errorf("an enabled endpoint's Enable confirmation: %d to %q", w.Code, w.Header().Get("Location"))
	}
}

// /enable of an endpoint its tenant disabled with nothing held or failed:
// Enable drops nothing, so there is nothing to ask; the endpoint page's
// plain Enable form is where it goes.
func TestEnableConfirmWithoutRunRedirects(t *testing.T) {
	hk := healthyHook()
	hk.Enabled = false
	h := testHandler(t, &fakeAPI{t: t, hook: hk})
	w := get(h, h.confirmEnable, "/portal/webhooks/wh_1/enable")
	if w.Code != http.StatusSeeOther || !strings.HasSuffix(w.Header().Get("Location"), "webhooks/wh_1") {
		t.Fatalf("tenant-disabled endpoint with no run: /enable answers %d %q:\n%s", w.Code, w.Header().Get("Location"), words(w.Body.String()))
	}
}
