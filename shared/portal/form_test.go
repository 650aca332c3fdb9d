package portal

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/phrase"
)

// formCases are the two forms that create and change a webhook.
var formCases = []struct {
	name, path string
	fn         func(h *Handler) func(*visit) error
}{
	{"create", "/portal/webhooks/new", func(h *Handler) func(*visit) error { return h.create }},
	{"edit", "/portal/webhooks/wh_1", func(h *Handler) func(*visit) error { return h.edit }},
}

// One mistake takes one submit: a name or URL the API would refuse is
// marked in the API's words with the fields left empty, before anything
// is sent
// ("example.com/hook" with no events showed only the
// events' error, and the URL's came on the next submit).
func TestOneSubmitShowsEveryFieldsError(t *testing.T) {
	for _, c := range formCases {
		api := &fakeAPI{t: t, hook: healthyHook()}
		h := testHandler(t, api)
		w := post(h, c.fn(h), c.path, url.Values{"csrf": {"token"}, "name": {"Orders endpoint"}, "url": {"example.com/hook"}})
		page := w.Body.String()
		if w.Code != http.StatusBadRequest ||
			!strings.Contains(page, `<p class="field-error" id="url-error">The endpoint URL must be an absolute URL with a host.</p>`) ||
			!strings.Contains(page, `<p class="field-error" id="types-error">Choose the events to send, or All events.</p>`) {
			t.Errorf("%s: %d, the URL's and the events' errors not both shown:\n%s", c.name, w.Code, words(page))
		}
		// A name the API would refuse is marked with them.
		page = post(h, c.fn(h), c.path, url.Values{"csrf": {"token"}, "name": {"Orders\u202eendpoint"}, "url": {"example.com/hook"}}).Body.String()
		if !strings.Contains(page, `<p class="field-error" id="name-error">The name must not contain control`) || !strings.Contains(page, `id="url-error"`) {
			t.Errorf("%s: the name's error not shown with the URL's:\n%s", c.name, words(page))
		}
		for _, req := range api.requests {
			if !strings.HasPrefix(req, "GET ") {
				t.Errorf("%s: the refused form was sent to the API: %s", c.name, req)
			}
		}
	}
	// The check reads the API's config: http on loopback passes in dev.
	api := &fakeAPI{t: t, hook: healthyHook()}
	h := testHandler(t, api)
	h.o.Config.AllowLoopback = true
	page := post(h, h.edit, "/portal/webhooks/wh_1", url.Values{"csrf": {"token"}, "name": {"dev"}, "url": {"http://127.0.0.1:9000/h"}}).Body.String()
	if strings.Contains(page, `id="url-error"`) || !strings.Contains(page, `id="types-error"`) {
		t.Errorf("dev mode: a loopback http URL is refused:\n%s", words(page))
	}
}

var (
	problemLink = regexp.MustCompile(`<li><a href="#([a-z_]+)" data-field="([a-z_]+)">([^<]+)</a></li>`)
	alertOpen   = `<div class="alert" role="alert" id="problems" tabindex="-1" autofocus><p>`
)

// A refused form's alert takes the focus when the page loads and links
// each field it is about, in the form's order, to an element of the page
// (focus stayed at the top, the alert unannounced).
func TestARefusedFormLeadsToItsErrors(t *testing.T) {
	api := &fakeAPI{t: t, hook: disabledFailingHook(), recover: func(string) (int, any) {
		return http.StatusBadRequest, map[string]any{"error": map[string]string{"code": "invalid_since", "message": "since must be an RFC 3339 time such as 2026-11-28T10:00:00Z"}}
	}}
	h := testHandler(t, api)
	type page struct {
		name, body string
		links      []string
	}
	var pages []page
	for _, c := range formCases {
		body := post(h, c.fn(h), c.path, url.Values{"csrf": {"token"}, "name": {" "}, "url": {"ftp://example.com/h"}}).Body.String()
		pages = append(pages, page{c.name, body, []string{"name Name", "url Endpoint URL", "all_events Events to send"}})
	}
	body := post(h, h.recoverEndpoint, "/portal/webhooks/wh_1/recover", url.Values{"since": {"yesterday"}}).Body.String()
	pages = append(pages, page{"recover", body, []string{"since Send what it missed since"}})
	for _, p := range pages {
		if strings.Count(p.body, "autofocus") != 1 || !strings.Contains(p.body, alertOpen) {
			t.Errorf("%s: no focused alert:\n%s", p.name, p.body)
		}
		var got []string
		for _, m := range problemLink.FindAllStringSubmatch(p.body, -1) {
			if m[1] != m[2] || !strings.Contains(p.body, ` id="`+m[1]+`"`) {
				t.Errorf("%s: the link to %q leads nowhere", p.name, m[1])
			}
			got = append(got, m[1]+" "+m[3])
		}
		if strings.Join(got, ", ") != strings.Join(p.links, ", ") {
			t.Errorf("%s: the alert links %q, want %q", p.name, got, p.links)
		}
	}
	// A page without a refusal has no alert to focus.
	if page := get(h, h.endpoint, "/portal/webhooks/wh_1").Body.String(); strings.Contains(page, "autofocus") {
		t.Errorf("an endpoint page with no error takes the focus:\n%s", page)
	}
}

// An event type the catalog no longer has (a page from before a deploy,
// or a crafted POST) is named in the form's words, without the API's
// field name.
func TestUnknownEventTypeInTheFormsWords(t *testing.T) {
	var f formData
	if !f.fieldError(&api.CallError{Status: http.StatusBadRequest, Code: "unknown_event_type", Message: `event_types: unknown event type "nope.event"`}) {
		t.Fatal("not put next to the events")
	}
	if want := `The event type "nope.event" no longer exists: choose from the list below.`; f.TypesError != want {
		t.Errorf("events error %q, want %q", f.TypesError, want)
	}
	// A long one, which the API names by its start, too.
	long := "orderPaid" + strings.Repeat("x", 10_000)
	if !f.fieldError(&api.CallError{Status: http.StatusBadRequest, Code: "unknown_event_type", Message: `event_types: unknown event type ` + phrase.Quote(long)}) {
		t.Fatal("a long one not put next to the events")
	}
	if want := `The event type "` + long[:phrase.QuoteMax] + `…" no longer exists: choose from the list below.`; f.TypesError != want {
		t.Errorf("events error %q, want %q", f.TypesError, want)
	}
	// Any other "field: message" of the API loses the field's name too.
	if got := labelled("url: must use https", "url", "The endpoint URL"); got != "The endpoint URL must use https." {
		t.Errorf("labelled: %q", got)
	}
}
