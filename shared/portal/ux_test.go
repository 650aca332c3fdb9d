package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

func renderSecret(t *testing.T, d secretData) string {
	t.Helper()
	var page strings.Builder
	if err := secretPage(view{Root: "../../"}, d).Render(context.Background(), &page); err != nil {
		t.Fatal(err)
	}
	return page.String()
}

// TestSecretPageAnnouncesTheCopy: the Copy button's result is said in a
// live region, which a screen reader announces (the button's own text
// changing is not).
func TestSecretPageAnnouncesTheCopy(t *testing.T) {
	page := renderSecret(t, secretData{Hook: hook{ID: "wh_1", Name: "orders"}, Secret: "whsec_x", Created: true})
	if !strings.Contains(page, `<p class="sr-only" role="status" aria-live="polite" data-copy-status="secret"></p>`) {
		t.Errorf("the secret page has no live region for the copy:\n%s", page)
	}
}

// TestSecretPageLeadsWithCopy: copying the secret is the page's primary
// action, and the page says how to get a new one if it is lost.
func TestSecretPageLeadsWithCopy(t *testing.T) {
	for _, created := range []bool{true, false} {
		page := renderSecret(t, secretData{Hook: hook{ID: "wh_1", Name: "orders"}, Secret: "whsec_x", Created: created})
		if strings.Count(page, "primary") != 1 || !strings.Contains(page, `class="button primary" data-copy="secret"`) {
			t.Errorf("created=%v: Copy is not the one primary action:\n%s", created, page)
		}
		if !strings.Contains(words(page), "Lost it? Use Rotate secret on the endpoint page to get a new one.") {
			t.Errorf("created=%v: the page does not say how to replace a lost secret:\n%s", created, words(page))
		}
		if !strings.Contains(page, `<a class="button" href="../../webhooks/wh_1">I've stored it: continue to the endpoint</a>`) {
			t.Errorf("created=%v: no plain Continue button:\n%s", created, page)
		}
	}
}

// TestDisableAndRotateAskFirst: the endpoint page's Disable and Rotate
// secret lead to a confirmation page, as Delete does, and only that page's
// form changes anything.
func TestDisableAndRotateAskFirst(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	h.o.Config.SecretGrace = 24 * time.Hour

	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	for _, want := range []string{`<a class="button" href="../webhooks/wh_1/disable">Disable…</a>`, `<a class="button" href="../webhooks/wh_1/rotate">Rotate secret…</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the endpoint page lacks %s", want)
		}
	}
	for _, unwanted := range []string{`action="../webhooks/wh_1/rotate"`, `action="../webhooks/wh_1/enabled"`} {
		if strings.Contains(page, unwanted) {
			t.Errorf("the endpoint page still posts at once: %s", unwanted)
		}
	}

	w := get(h, h.confirmDisable, "/portal/webhooks/wh_1/disable")
	page = w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(words(page), "Disable this webhook? Orders (https://example.com/…) stops receiving events at once. Events sent while it is disabled are not kept: enabling it again delivers only new events.") ||
		!strings.Contains(page, `<form method="post" action="../../webhooks/wh_1/enabled" class="actions"><input type="hidden" name="csrf" value="token"><input type="hidden" name="enabled" value="false"> <button type="submit" class="button danger">Disable webhook</button>`) {
		t.Errorf("disable confirmation (%d):\n%s", w.Code, page)
	}

	w = get(h, h.confirmRotate, "/portal/webhooks/wh_1/rotate")
	page = w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(words(page), "Rotate the signing secret? A new signing secret for Orders is shown once. The current secret keeps working for 24 hours after the rotation (deliveries are signed with both)") ||
		!strings.Contains(words(page), "Only one previous secret is kept: if this secret was itself rotated in less than that time, the secret before it stops working at once.") ||
		!strings.Contains(page, `<form method="post" action="../../webhooks/wh_1/rotate" class="actions">`) {
		t.Errorf("rotate confirmation (%d):\n%s", w.Code, page)
	}
	for _, r := range api.requests {
		if !strings.HasPrefix(r, "GET ") {
			t.Errorf("showing the pages changed something: %s", r)
		}
	}
	// A disabled endpoint's Enable still acts at once: it loses nothing.
	api.hook = disabledByTenantHook()
	if page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); !strings.Contains(page, `<input type="hidden" name="enabled" value="true"> <button type="submit" class="button">Enable</button>`) {
		t.Errorf("a disabled endpoint has no Enable button:\n%s", page)
	}
}

func TestDurationWords(t *testing.T) {
	for d, want := range map[time.Duration]string{24 * time.Hour: "24 hours", time.Hour: "1 hour", 90 * time.Minute: "90 minutes", 45 * time.Second: "45 seconds", 0: "", 1500 * time.Millisecond: "1.5s"} {
		if got := durationWords(d); got != want {
			t.Errorf("durationWords(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestAttemptLogShowsEventAndDeliveryIDs: each attempt names its event id
// and delivery id, so a tenant can follow one event through its attempts
// and match it to the receiver's logs.
func TestAttemptLogShowsEventAndDeliveryIDs(t *testing.T) {
	api := &fakeAPI{t: t, hook: healthyHook(), attempts: func(string) attemptPage {
		return attemptPage{Data: []deliverylog.Attempt{
			{DeliveryID: "dlv_2", EventID: "evt_b", EventName: "emailClick", Attempt: 1, Outcome: deliverylog.OutcomeDelivered, At: succeededAt},
			{DeliveryID: "dlv_1", EventID: "evt_a", EventName: "emailClick", Attempt: 2, Outcome: deliverylog.OutcomeDeadLettered, At: succeededAt},
		}}
	}}
	h := testHandler(t, api)
	page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String()
	for _, id := range [][2]string{{"evt_b", "dlv_2"}, {"evt_a", "dlv_1"}} {
		want := `<dl class="ids"><div><dt>Event id</dt><dd><code>` + id[0] + `</code></dd></div><div><dt>Delivery id</dt><dd><code>` + id[1] + `</code></dd></div></dl>`
		if !strings.Contains(page, want) {
			t.Errorf("the attempt log lacks %s:\n%s", want, page)
		}
	}
}

// TestNotFoundKeepsTheMenu: a signed-in visitor's Not found (an old
// bookmark, an endpoint a teammate deleted) keeps the menu and links back
// to the list.
func TestNotFoundKeepsTheMenu(t *testing.T) {
	api := &fakeAPI{t: t, hook: hook{ID: "wh_other"}} // wh_1 is not this organization's
	h := testHandler(t, api)
	w := get(h, h.endpoint, "/portal/webhooks/wh_1")
	page := w.Body.String()
	if w.Code != http.StatusNotFound || !strings.Contains(page, "<h1>Not found</h1>") {
		t.Fatalf("an unknown endpoint: %d\n%s", w.Code, page)
	}
	for _, want := range []string{`<nav aria-label="Webhooks">`, `<a class="button primary" href="../">Back to your webhooks</a>`, `action="../logout"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the Not found page lacks %s:\n%s", want, page)
		}
	}
	// Without a session (signed out) there is no menu to keep.
	out := renderPage(h, bind(messagePage, "You signed out."))
	if strings.Contains(renderPageNoSession(h), "Back to your webhooks") || !strings.Contains(out, "Back to your webhooks") {
		t.Error("the way back is shown without a session, or not with one")
	}
}

func renderPageNoSession(h *Handler) string {
	w := httptest.NewRecorder()
	h.render(w, httptest.NewRequest("GET", "/portal/logout", nil), 200, view{Title: "Signed out", Content: bind(messagePage, "You signed out.")})
	return w.Body.String()
}

// TestFieldsAndOutlinesContrast: the borders that show where a field is
// reach WCAG 1.4.11's 3:1 on white, and the log
// keeps event names whole at desktop width.
func TestFieldsAndOutlinesContrast(t *testing.T) {
	css, err := staticFS.ReadFile("static/portal.css")
	if err != nil {
		t.Fatal(err)
	}
	white := rgb{255, 255, 255}
	for _, rule := range []string{`input[type="text"], input[type="url"], select {`, `.button.danger-outline {`} {
		i := strings.Index(string(css), rule)
		if i < 0 {
			t.Fatalf("portal.css has no %s", rule)
		}
		body := string(css[i:])
		body = body[:strings.Index(body, "}")]
		m := regexp.MustCompile(`border(?:-color)?:[^;]*?(#[0-9a-f]{6})`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s sets no border colour: %s", rule, body)
		}
		if r := contrast(mustHex(m[1]), white); r < 3 {
			t.Errorf("%s border %s is %.2f:1 on white, want 3:1", rule, m[1], r)
		}
	}
	if !strings.Contains(string(css), ".log .event-name { white-space: nowrap; }") {
		t.Error("portal.css lets an event name break inside the log")
	}
}
