package portal

import (
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/portalsession"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

var (
	// blockTags start or end a line in a browser, so they part the text
	// around them; every other tag (strong, code, a, time…) is inline and
	// adds no space, so a sentence glued to one shows glued here too.
	blockTags = regexp.MustCompile(`(?i)</?(?:address|article|aside|blockquote|body|br|caption|dd|details|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|head|header|hr|html|input|legend|li|link|main|meta|nav|ol|option|p|pre|script|section|select|summary|table|tbody|td|textarea|tfoot|th|thead|title|tr|ul)\b[^>]*>`)
	tags      = regexp.MustCompile(`<[^>]*>`)
	spaces    = regexp.MustCompile(`\s+`)
)

// words is a page's text as a browser shows it: block tags part it, inline
// tags vanish, and white space runs collapse to one space.
func words(page string) string {
	text := tags.ReplaceAllString(blockTags.ReplaceAllString(page, " "), "")
	return strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(text), " "))
}

func testHandler(t testing.TB, api http.Handler) *Handler {
	return &Handler{o: Options{
		API: api, Sessions: portalsession.New(newMemTokens()), Catalog: catalogtest.Default(t), Config: config.Config{Portal: config.Portal{ProductName: "Acme", AccentColor: "#4f46e5"}},
		Logger: slog.New(slog.DiscardHandler),
	}}
}

func renderPage(h *Handler, c content) string {
	w := httptest.NewRecorder()
	h.render(w, httptest.NewRequest("GET", "/portal/webhooks/wh_1", nil), 200, view{CSRF: "token", Content: c})
	return w.Body.String()
}

var (
	disabledAt   = time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)
	failingSince = time.Date(2026, 11, 23, 9, 15, 7, 0, time.UTC)
	succeededAt  = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
)

// endpoints in each health state.
func healthyHook() hook {
	return hook{ID: "wh_1", Name: "Orders", URL: "https://example.com/h", AllEvents: true, Enabled: true,
		Health: webhook.Health{LastSuccessAt: succeededAt}}
}

func failingHook() hook {
	hk := healthyHook()
	hk.Health = webhook.Health{ConsecutiveFailures: 7, FailingSince: failingSince, LastSuccessAt: succeededAt}
	return hk
}

func disabledFailingHook() hook {
	hk := failingHook()
	hk.Health.ConsecutiveFailures = 20
	hk.Enabled, hk.DisabledReason, hk.DisabledAt = false, webhook.DisabledFailing, disabledAt
	return hk
}

func disabledByTenantHook() hook {
	hk := healthyHook()
	hk.Enabled = false
	return hk
}

func TestHealthCardAndBadgesSayEachState(t *testing.T) {
	h := testHandler(t, nil)
	for _, c := range []struct {
		name        string
		hook        hook
		card        []string // text the health card shows
		badge       string   // the list's state column
		recoverForm bool
	}{
		{"healthy", healthyHook(), []string{"Health: healthy", "Last successful delivery: 2026-11-20 08:00:00 UTC"}, "Enabled", false},
		// Recovered with no success known: the log below may show the
		// failures before the recover, so the card claims nothing older.
		{"healthy, no success known", hook{ID: "wh_1", Name: "Orders", URL: "https://example.com/h", AllEvents: true, Enabled: true},
			[]string{"Health: healthy", "No delivery has failed since it was created or last enabled."}, "Enabled", false},
		{"failing", failingHook(), []string{
			"Health: failing", "7 failed deliveries in a row since 2026-11-23 09:15:07 UTC.",
			"Last successful delivery: 2026-11-20 08:00:00 UTC", "one successful delivery ends the run",
		}, "Enabled Failing", true},
		{"disabled for failing", disabledFailingHook(), []string{
			"Disabled by Acme: every delivery failed",
			"Disabled at 2026-11-28 10:30:00 UTC after 20 failed deliveries in a row since 2026-11-23 09:15:07 UTC.",
			"New events are held for it, not sent. Send test event still sends one, to check it.",
		}, "Disabled (failing)", true},
		{"disabled by the tenant", disabledByTenantHook(), []string{"Disabled by your team", "No events are delivered to it, and events sent in the meantime are not kept."}, "Disabled", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/portal/webhooks/wh_1", nil)
			d := endpointData{Hook: c.hook, LastSuccess: c.hook.Health.LastSuccessAt, Recover: recoverForm(req, c.hook)}
			page := renderPage(h, bind(endpointPage, d))
			text := words(page)
			for _, want := range c.card {
				if !strings.Contains(text, want) {
					t.Errorf("the endpoint page does not say %q:\n%s", want, text)
				}
			}
			if got := strings.Contains(page, `action="../webhooks/wh_1/recover"`); got != c.recoverForm {
				t.Errorf("Recover form shown: %v, want %v", got, c.recoverForm)
			}
			if c.recoverForm && !strings.Contains(page, `name="since" type="text" value="2026-11-23T09:15:07Z"`) {
				t.Errorf("the Recover form does not start at the failure run's start:\n%s", page)
			}
			list := words(renderPage(h, bind(listPage, listData{Rows: []listRow{{hook: c.hook}}})))
			if !strings.Contains(list, "All events "+c.badge+" No deliveries yet") {
				t.Errorf("the list's state is not %q:\n%s", c.badge, list)
			}
		})
	}
}

// TestLastSuccessPrefersTheAttemptLog: a healthy endpoint's deliveries
// never write last_success_at, so the newest delivered attempt tells.
func TestLastSuccessPrefersTheAttemptLog(t *testing.T) {
	hk := healthyHook()
	newer := succeededAt.Add(time.Hour)
	log := []deliverylog.Attempt{
		{Outcome: deliverylog.OutcomeRetrying, At: newer.Add(time.Minute)},
		{Outcome: deliverylog.OutcomeDelivered, At: newer},
	}
	if got := lastSuccess(hk, log); !got.Equal(newer) {
		t.Errorf("lastSuccess = %v, want the delivered attempt's %v", got, newer)
	}
	if got := lastSuccess(hk, log[:1]); !got.Equal(succeededAt) {
		t.Errorf("lastSuccess with no delivered attempt = %v, want health's %v", got, succeededAt)
	}
}

// fakeAPI answers the portal's in-process calls for one webhook the way
// the JSON API does, and records each request.
type fakeAPI struct {
	t            *testing.T
	hook         hook
	recover      func(since string) (int, any)
	attempts     func(cursor string) attemptPage // nil: an empty log
	requests     []string                        // "METHOD path body"
	full         bool                            // a create is refused: the organization has its maximum of webhooks
	unsubscribed string                          // a resend is refused: the webhook no longer subscribes to this type
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI()+" "+string(body))
	w.Header().Set("Content-Type", "application/json")
	answer := func(status int, v any) {
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	hookPath := webhookAPI(f.hook.ID)
	switch {
	case r.URL.Query().Get("cursor") == "edited": // a page link the tenant changed
		answer(http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "invalid_cursor", "message": "cursor is invalid"}})
	case (r.Method == http.MethodGet || r.Method == http.MethodPatch) && r.URL.Path == hookPath:
		answer(http.StatusOK, f.hook)
	case r.Method == http.MethodGet && r.URL.Path == hookPath+"/deliveries":
		page := attemptPage{Data: []deliverylog.Attempt{}}
		if f.attempts != nil {
			page = f.attempts(r.URL.Query().Get("cursor"))
		}
		answer(http.StatusOK, page)
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, hookPath+"/deliveries/") && f.unsubscribed != "":
		answer(http.StatusConflict, map[string]any{"error": map[string]string{"code": "not_subscribed", "message": "the webhook does not subscribe to " + f.unsubscribed + ": add it to event_types (or set all_events) to resend this delivery"}})
	case r.Method == http.MethodPost && (r.URL.Path == hookPath+"/test" || strings.HasPrefix(r.URL.Path, hookPath+"/deliveries/")):
		answer(http.StatusAccepted, map[string]any{"delivery_id": "dlv_1"})
	case r.Method == http.MethodPost && r.URL.Path == hookPath+"/rotate-secret":
		answer(http.StatusOK, map[string]any{"signing_secret": "whsec_rotated" + strconv.Itoa(len(f.requests)), "previous_secret_expires_at": disabledAt})
	case r.Method == http.MethodGet && r.URL.Path == webhooksAPI:
		answer(http.StatusOK, list[hook]{Data: []hook{f.hook}})
	case r.Method == http.MethodPost && r.URL.Path == webhooksAPI && f.full:
		answer(http.StatusConflict, map[string]any{"error": map[string]string{"code": "limit_reached", "message": "organization already has the maximum of 1 webhooks"}})
	case r.Method == http.MethodPost && r.URL.Path == webhooksAPI:
		answer(http.StatusCreated, map[string]any{"id": f.hook.ID, "name": f.hook.Name, "url": f.hook.URL, "all_events": true, "enabled": true, "signing_secret": "whsec_created" + strconv.Itoa(len(f.requests))})
	case r.Method == http.MethodPost && r.URL.Path == hookPath+"/recover":
		var in struct {
			Since string `json:"since"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			f.t.Errorf("recover body %q: %v", body, err)
		}
		answer(f.recover(in.Since))
	default:
		answer(http.StatusNotFound, map[string]any{"error": map[string]string{"code": "not_found", "message": "webhook not found"}})
	}
}

// post runs a portal form handler as h.form does once the session and
// token are checked.
func post(h *Handler, fn func(*visit) error, path string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_ = r.ParseForm()
	return serve(h, fn, r)
}

func get(h *Handler, fn func(*visit) error, target string) *httptest.ResponseRecorder {
	return serve(h, fn, httptest.NewRequest(http.MethodGet, target, nil))
}

// serve runs a page handler for webhook wh_1 in org_a's session.
func serve(h *Handler, fn func(*visit) error, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	r.SetPathValue("id", "wh_1")
	v := &visit{w: w, r: r, s: portalsession.Session{OrgID: "org_a", CSRF: "token"}, root: rootOf(r.URL.Path), h: h, ctx: r.Context()}
	if err := fn(v); err != nil {
		h.failed(v, err)
	}
	return w
}

func TestRecoverPostsAndShowsTheResult(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": true, "queued": 1000, "parked": 997, "dead_lettered": 3, "more": true}
	}}
	h := testHandler(t, api)
	w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {" 2026-11-23T09:15:07Z "}, "csrf": {"token"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("recover: %d\n%s", w.Code, w.Body)
	}
	if want := `POST /api/v1/organization/webhooks/wh_1/recover {"since":"2026-11-23T09:15:07Z"}`; len(api.requests) != 1 || api.requests[0] != want {
		t.Fatalf("API requests %q, want one %q", api.requests, want)
	}
	loc := w.Header().Get("Location")
	if want := "../../webhooks/wh_1?done=recovered&more=1&queued=1000&since=2026-11-23T09%3A15%3A07Z"; loc != want {
		t.Fatalf("redirect to %q, want %q", loc, want)
	}

	// The page it leads to: the endpoint is enabled now; the notice gives
	// the count, and the form is back for the deliveries still parked.
	api.hook.Enabled, api.hook.DisabledReason, api.hook.DisabledAt, api.hook.Health = true, "", time.Time{}, webhook.Health{}
	page := get(h, h.endpoint, "/portal/webhooks/wh_1?"+strings.SplitN(loc, "?", 2)[1]).Body.String()
	text := words(page)
	for _, want := range []string{
		"The endpoint is enabled. 1000 missed deliveries were queued again",
		"More parked deliveries remain: press Recover again",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page after recover does not say %q:\n%s", want, text)
		}
	}
	if !strings.Contains(page, `name="since" type="text" value="2026-11-23T09:15:07Z"`) {
		t.Errorf("the Recover form is not there again with the same time:\n%s", page)
	}
}

// A recover that could not search the dead letters (another scan, or one
// of the organization's within 30 s) says to recover again later: the
// endpoint it enabled shows the form again with the same time, or the
// tenant would have no Recover to press.
func TestRecoverWithDeadLettersIncompleteOffersItAgain(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusAccepted, map[string]any{"enabled": true, "queued": 2, "parked": 2, "more": false, "dead_letters_incomplete": true}
	}}
	h := testHandler(t, api)
	w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"2026-11-23T09:15:07Z"}, "csrf": {"token"}})
	loc := w.Header().Get("Location")
	if want := "../../webhooks/wh_1?done=recovered&incomplete=1&queued=2&since=2026-11-23T09%3A15%3A07Z"; loc != want {
		t.Fatalf("redirect to %q, want %q", loc, want)
	}
	api.hook.Enabled, api.hook.DisabledReason, api.hook.DisabledAt, api.hook.Health = true, "", time.Time{}, webhook.Health{}
	page := get(h, h.endpoint, "/portal/webhooks/wh_1?"+strings.SplitN(loc, "?", 2)[1]).Body.String()
	if !strings.Contains(words(page), "Press Recover again in a minute") {
		t.Errorf("the page does not say to recover again:\n%s", words(page))
	}
	if !strings.Contains(page, `name="since" type="text" value="2026-11-23T09:15:07Z"`) {
		t.Errorf("the Recover form is not there again with the same time:\n%s", page)
	}
}

func TestRecoveredNoticeReadsOnlyNumbersAndFlags(t *testing.T) {
	for q, want := range map[string]string{
		"queued=1":                 "1 missed delivery was queued again",
		"queued=0":                 "No missed deliveries were found since that time.",
		"queued=4&incomplete=1":    "Some missed deliveries may not have been queued yet",
		"queued=<script>":          "",
		"queued=-3":                "",
		"queued=2&more=<b>x</b>":   "2 missed deliveries were queued again; they appear",
		"more=1&queued=12&since=x": "press Recover again",
		// Nothing queued by this press, some still parked: not "none found".
		"queued=0&more=1":              "None were queued by this press. More parked deliveries remain",
		"queued=0&more=1&incomplete=1": "None were queued by this press. More parked deliveries remain",
	} {
		v, _ := url.ParseQuery(q)
		got := recoveredNotice(v)
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("recoveredNotice(%s) = %q, want it to hold %q", q, got, want)
		}
		if strings.Contains(got, "<") || strings.Contains(got, "more parked") && v.Get("more") != "1" ||
			v.Get("more") == "1" && (strings.Contains(got, "No missed deliveries were found") || strings.Contains(got, "No parked deliveries were left")) {
			t.Errorf("recoveredNotice(%s) = %q took text from the query", q, got)
		}
	}
}

// A refused time is asked for again in the tenant's words, once beside
// the field, under an alert that names the field; the API's wording
// ("since", "RFC 3339") is not shown.
func TestRecoverRefusalIsShownOnTheEndpointPage(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "invalid_since", "message": "since must be an RFC 3339 time such as 2026-11-28T10:00:00Z"}}
	}}
	h := testHandler(t, api)
	w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"yesterday"}})
	if w.Code != http.StatusBadRequest {
		t.Fatalf("refused recover: %d", w.Code)
	}
	page := w.Body.String()
	text := words(page)
	for _, want := range []string{
		"Nothing was recovered: check the time below. Send what it missed since", // the page's alert, linking the field
		"Disabled by Acme: every delivery failed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the refusal page does not say %q:\n%s", want, text)
		}
	}
	if !strings.Contains(page, `<p class="field-error" id="since-error">Enter a UTC time like 2026-11-28T10:00:00Z.</p>`) || !strings.Contains(page, `value="yesterday" autocomplete="off" spellcheck="false" aria-invalid="true"`) {
		t.Errorf("the field keeps neither the value typed nor its error:\n%s", page)
	}
	if strings.Contains(text, "RFC 3339") || strings.Count(text, "Enter a UTC time") != 1 {
		t.Errorf("the page repeats the API's wording, or the error twice:\n%s", text)
	}

	// A time refused for what it is keeps the API's reason, said of the time.
	api.recover = func(string) (int, any) {
		return http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "invalid_since", "message": "since is in the future"}}
	}
	// RFC 3339 lets "t" and "z" be lower case, as the API does.
	for _, since := range []string{"2099-01-01T00:00:00Z", "2099-01-01t00:00:00z"} {
		page = post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {since}}).Body.String()
		if !strings.Contains(page, `<p class="field-error" id="since-error">That time is in the future.</p>`) {
			t.Errorf("a future time's error (%s):\n%s", since, words(page))
		}
	}

	// Another organization's webhook (or a deleted one): the API's 404.
	api.hook.ID = "wh_other"
	if w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"2026-11-23T09:15:07Z"}}); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "Not found") {
		t.Errorf("recover of a webhook the API does not find: %d", w.Code)
	}
}

// A test event or a resend at a disabled endpoint is not sent: the notice
// says what happens to it instead of promising an attempt; a test at an
// endpoint disabled for failing is sent once, to check it before a
// recover, and so is a resent test (its log row carries the test mark; a
// webhook.test a producer published has none, and is held).
func TestTestAndResendSayWhatADisabledEndpointDoesWithThem(t *testing.T) {
	for _, c := range []struct {
		name       string
		hook       hook
		only       string // "test" or "resent": the case is that send's alone
		resent     string // the event of the resent delivery
		test       bool   // the resent delivery was the tenant's test
		done, says string
	}{
		{"enabled", healthyHook(), "", "emailClick", false, "", "is on its way"},
		{"disabled by the tenant", disabledByTenantHook(), "", "emailClick", false, "-skipped", "appears in the log as skipped"},
		{"disabled for failing", disabledFailingHook(), "resent", "emailClick", false, "-held", "held with its other missed deliveries until you recover"},
		{"disabled for failing", disabledFailingHook(), "test", "emailClick", false, "-check", "sent to it all the same, once and without retries, so you can check it works"},
		{"disabled for failing, a test resent", disabledFailingHook(), "resent", catalog.TestEvent, true, "-check", "this test event is sent to it again all the same, once and without retries"},
		{"disabled for failing, a published webhook.test resent", disabledFailingHook(), "resent", catalog.TestEvent, false, "-held", "held with its other missed deliveries until you recover"},
	} {
		api := &fakeAPI{t: t, hook: c.hook, attempts: func(string) attemptPage {
			return attemptPage{Data: []deliverylog.Attempt{{DeliveryID: "dlv_1", EventName: c.resent, Outcome: deliverylog.OutcomeDelivered, Test: c.test}}}
		}}
		h := testHandler(t, api)
		// The form posts what the attempt log row's Resend button holds.
		resendForm := url.Values{"csrf": {"token"}}
		for _, in := range hiddenInputs.FindAllStringSubmatch(get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(), -1) {
			if in[1] == "delivery_id" || in[1] == "test" {
				resendForm.Set(in[1], html.UnescapeString(in[2]))
			}
		}
		if !resends(c.hook) {
			// The page offers no Resend here (TestNoResendWhereTheTenantDisabledTheEndpoint):
			// the form of a page shown before the disable, in another tab.
			if resendForm.Has("delivery_id") {
				t.Fatalf("%s: the log offers Resend: %v", c.name, resendForm)
			}
			resendForm.Set("delivery_id", "dlv_1")
		}
		if resendForm.Get("delivery_id") != "dlv_1" || resendForm.Has("test") != c.test {
			t.Fatalf("%s: the log row's Resend form holds %v, want dlv_1 and the test mark %v", c.name, resendForm, c.test)
		}
		for _, send := range []struct {
			what, path string
			fn         func(*visit) error
			form       url.Values
		}{
			{"test", "/portal/webhooks/wh_1/test", h.sendTest, url.Values{"csrf": {"token"}}},
			{"resent", "/portal/webhooks/wh_1/resend", h.resend, resendForm},
		} {
			if c.only != "" && c.only != send.what {
				continue
			}
			w := post(h, send.fn, send.path, send.form)
			loc := w.Header().Get("Location")
			if want := "../../webhooks/wh_1?done=" + send.what + c.done; w.Code != http.StatusSeeOther || loc != want {
				t.Fatalf("%s, %s: %d to %q, want 303 to %q\n%s", c.name, send.what, w.Code, loc, want, w.Body)
			}
			page := words(get(h, h.endpoint, "/portal/webhooks/wh_1?"+strings.SplitN(loc, "?", 2)[1]).Body.String())
			if c.done != "" && !strings.Contains(page, c.says) || c.done == "" && send.what == "test" && !strings.Contains(page, c.says) {
				t.Errorf("%s, %s: the page does not say %q:\n%s", c.name, send.what, c.says, page)
			}
		}
	}
}

// hiddenInputs finds a page's hidden form fields: name, value.
var hiddenInputs = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)"`)

// The health card is the endpoint's, not the page's: an older page of the
// attempt log (failures under a success since) says what the newest does.
func TestHealthCardIsTheSameOnOlderPages(t *testing.T) {
	recovered := time.Date(2026, 11, 30, 18, 9, 59, 0, time.UTC)
	hk := healthyHook()
	hk.Health = webhook.Health{} // healthy, never failed long enough to record a success
	api := &fakeAPI{t: t, hook: hk, attempts: func(cursor string) attemptPage {
		if cursor == "" {
			return attemptPage{Data: []deliverylog.Attempt{{Outcome: deliverylog.OutcomeDelivered, At: recovered}}, NextCursor: "older"}
		}
		return attemptPage{Data: []deliverylog.Attempt{{Outcome: deliverylog.OutcomeRetrying, At: recovered.Add(-time.Hour)}}}
	}}
	h := testHandler(t, api)
	newest := words(get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String())
	older := words(get(h, h.endpoint, "/portal/webhooks/wh_1?cursor=older").Body.String())
	want := "Last successful delivery"
	if !strings.Contains(newest, want) || !strings.Contains(older, want) || !strings.Contains(older, "18:09:59") {
		t.Fatalf("health on the newest page:\n%s\n\non an older page:\n%s", newest, older)
	}
}

// An empty create or edit form marks every missing field at once, in the
// form's words, and sends nothing to the API.
func TestAnEmptyFormMarksEveryMissingField(t *testing.T) {
	for _, c := range formCases {
		api := &fakeAPI{t: t, hook: healthyHook()}
		h := testHandler(t, api)
		w := post(h, c.fn(h), c.path, url.Values{"csrf": {"token"}, "name": {"  "}, "url": {""}})
		page := words(w.Body.String())
		if w.Code != http.StatusBadRequest {
			t.Fatalf("%s: %d, want 400", c.name, w.Code)
		}
		for _, want := range []string{"Give the endpoint a name.", "Enter the endpoint URL", "Choose the events to send"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: the page does not say %q:\n%s", c.name, want, page)
			}
		}
		for _, req := range api.requests {
			if !strings.HasPrefix(req, "GET ") {
				t.Errorf("%s: the form was sent to the API: %s", c.name, req)
			}
		}
	}
}

// The API's refusals appear under their fields with the form's labels, not
// the API's field names.
func TestAPIRefusalsUseTheFormsLabels(t *testing.T) {
	for code, c := range map[string]struct{ msg, field, want string }{
		"invalid_url":         {"url must use https (http is accepted only on a loopback host in dev mode)", "url", "The endpoint URL must use https (http is accepted only on a loopback host in dev mode)."},
		"invalid_name":        {"name must be at most 100 characters", "name", "The name must be at most 100 characters."},
		"invalid_event_types": {"event_types must not be empty", "types", "The events must not be empty."},
		"unknown_event_type":  {"event_types: unknown event type \"orderPaid\"", "types", "The event type \"orderPaid\" no longer exists: choose from the list below."},
	} {
		var f formData
		if !f.fieldError(&api.CallError{Status: http.StatusBadRequest, Code: code, Message: c.msg}) {
			t.Fatalf("%s: not put next to a field", code)
		}
		got := map[string]string{"url": f.URLError, "name": f.NameError, "types": f.TypesError}[c.field]
		if got != c.want {
			t.Errorf("%s: %q, want %q", code, got, c.want)
		}
	}
}

// The Recover time field takes the times the page itself shows
// ("2026-11-23 09:15:07 UTC", as the health card and the attempt log
// write them), so a tenant can paste one.
func TestRecoverTakesTheTimeFormatThePageShows(t *testing.T) {
	for _, typed := range []string{"2026-11-23 09:15:07 UTC", "2026-11-23 09:15:07", "2026-11-23T09:15:07"} {
		api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
			return http.StatusAccepted, map[string]any{"enabled": true, "queued": 1}
		}}
		h := testHandler(t, api)
		w := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {typed}, "csrf": {"token"}})
		if want := `POST /api/v1/organization/webhooks/wh_1/recover {"since":"2026-11-23T09:15:07Z"}`; w.Code != http.StatusSeeOther || len(api.requests) != 1 || api.requests[0] != want {
			t.Errorf("%q: %d, API requests %q, want one %q", typed, w.Code, api.requests, want)
		}
	}
}
