package portal

import (
	"encoding/json"
	"html"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// hostile is what a tenant, an endpoint's response or a deployer could put
// in a field the portal shows: every character HTML treats specially, an
// attribute break-out, tags and a script URL.
const hostile = `"'><img src=x onerror=alert(1)>&<script>alert(2)</script>javascript:alert(3)`

// mark tags hostile with the field it stands in, so a test can tell which
// fields a page shows.
func mark(field string) string { return "[" + field + "]" + hostile }

// injected finds markup or a URL scheme that only an unescaped value makes.
var injected = regexp.MustCompile(`<img|<script>alert|"'>|(?i)(href|src|action)="\s*javascript:`)

// TestEveryPageEscapesWhatItShows renders every page with a hostile value
// in every field it shows: each value must appear, as text, and none may
// become markup or a link.
func TestEveryPageEscapesWhatItShows(t *testing.T) {
	brand := config.Portal{ProductName: "Acme" + hostile[:20], AccentColor: "#4f46e5"}
	h := &Handler{o: Options{Config: config.Config{Portal: brand, HeaderPrefix: "Acme"}, Logger: slog.New(slog.DiscardHandler)}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hk := hook{
		ID: mark("id"), Name: mark("name"), URL: "https://example.com/" + mark("url"),
		EventTypes: []string{mark("type")}, Enabled: true, CreatedAt: at,
	}
	parked := hk
	parked.Enabled, parked.DisabledReason, parked.DisabledAt = false, webhook.DisabledFailing, at
	parked.Health = webhook.Health{ConsecutiveFailures: 20, FailingSince: at}
	attempt := deliverylog.Attempt{
		DeliveryID: mark("delivery"), EventName: mark("event"), Attempt: 2, At: at, Outcome: mark("outcome"),
		StatusCode: 500, ErrorClass: mark("error_class"), LatencyMS: 7, Response: mark("response"),
	}
	types := groupTypes([]catalog.Type{{
		Name: mark("type_name"), Description: mark("description"),
		Schema:  json.RawMessage(`{"title": "</code></pre><script>alert(4)</script>[schema]"}`),
		Example: json.RawMessage(`{"x": "</code></pre><img src=x>[example]"}`),
	}})
	form := formData{
		ID: hk.ID, Name: mark("form_name"), URL: mark("form_url"), Selected: map[string]bool{}, Groups: types,
		NameError: mark("name_error"), URLError: mark("url_error"), TypesError: mark("types_error"),
	}
	sn, err := snippets(namesFor("Acme"))
	if err != nil {
		t.Fatal(err)
	}
	sn[0].Code = mark("snippet")

	for _, c := range []struct {
		page string
		v    view
		show []string // fields (mark) or literal text the page must show
	}{
		{"list", view{Notice: mark("notice"), Content: bind(listPage, listData{
			Rows: []listRow{{hook: hk, Last: &attempt, Rate: mark("rate"), RecentCount: 1}}, NextCursor: mark("cursor"),
		})}, []string{mark("notice"), mark("name"), mark("type"), mark("outcome"), mark("rate")}},
		{"new", view{Error: mark("error"), Content: bind(newPage, form)},
			[]string{mark("error"), mark("form_name"), mark("form_url"), mark("name_error"), mark("url_error"), mark("types_error"), mark("type_name"), mark("description")}},
		{"secret", view{Content: bind(secretPage, secretData{Hook: hk, Secret: mark("secret"), PreviousValidTil: mark("until")})},
			[]string{mark("name"), mark("secret"), mark("until")}},
		{"endpoint", view{Content: bind(endpointPage, endpointData{
			Hook: hk, Form: form, Attempts: []deliverylog.Attempt{attempt}, Outcomes: outcomes, Outcome: mark("filter"),
			Cursor: mark("cursor"), NextCursor: mark("next"),
		})}, []string{mark("name"), mark("url"), mark("type"), mark("id"), mark("delivery"), mark("event"), mark("outcome"), mark("error_class"), mark("response"), mark("form_name"), mark("form_url"), mark("name_error")}},
		{"endpoint disabled for failing", view{Content: bind(endpointPage, endpointData{
			Hook: parked, Form: form, Outcomes: outcomes, Recover: recoverData{Show: true, Since: mark("since"), Error: mark("since_error")},
		})}, []string{mark("name"), mark("since"), mark("since_error"), "Disabled by Acme"}},
		{"delete", view{Content: bind(deletePage, hk)}, []string{mark("name")}},
		{"events", view{Content: bind(eventsPage, types)}, []string{mark("type_name"), mark("description"), "[schema]", "[example]"}},
		{"verify", view{Content: bind(verifyPage, verifyData{headerNames: namesFor("Acme"), Snippets: sn})}, []string{mark("snippet")}},
		{"message", view{Title: mark("title"), Content: bind(messagePage, mark("text"))}, []string{mark("title"), mark("text")}},
	} {
		t.Run(c.page, func(t *testing.T) {
			c.v.CSRF = "token"
			w := httptest.NewRecorder()
			h.render(w, httptest.NewRequest("GET", "/portal/webhooks/x", nil), 200, c.v)
			body := w.Body.String()
			if m := injected.FindString(body); m != "" {
				t.Errorf("a value became markup (%q) in\n%s", m, body)
			}
			// <wbr> (a line break allowed inside a code) is not text.
			text := html.UnescapeString(strings.ReplaceAll(body, "<wbr>", ""))
			for _, want := range c.show {
				if !strings.Contains(text, want) {
					t.Errorf("the page does not show %q", want)
				}
			}
			// Values in links are escaped for their part of the URL.
			links := map[string][]string{
				"endpoint":                      {"webhooks/" + url.PathEscape(hk.ID) + "/resend", "cursor=" + url.QueryEscape(mark("next"))},
				"endpoint disabled for failing": {"webhooks/" + url.PathEscape(hk.ID) + "/recover"},
			}
			for _, want := range links[c.page] {
				if !strings.Contains(text, want) {
					t.Errorf("no link holds %q", want)
				}
			}
		})
	}
}
