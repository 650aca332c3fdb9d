package portal

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/hookrelay/hookrelay/shared/api"
)

// gateway is the portal as the api Lambda serves it: behind API Gateway,
// over https, under stage ("$default" at the root, else /<stage>/).
type gateway struct {
	t      *testing.T
	lambda *httpadapter.HandlerAdapterV2
	stage  string
}

func newGateway(t *testing.T, h *Handler, stage string) *gateway {
	return &gateway{t: t, lambda: httpadapter.NewV2(api.StripStage(h)), stage: stage}
}

// do sends one request for the portal-relative path with the cookies
// ("name=value") and, for a POST, the form; it returns the status and
// the Set-Cookie headers by cookie name.
func (g *gateway) do(method, path string, cookies []string, form url.Values) (int, map[string]string) {
	g.t.Helper()
	raw := path
	if g.stage != "$default" {
		raw = "/" + g.stage + path
	}
	rawPath, query, _ := strings.Cut(raw, "?")
	headers := map[string]string{"host": "webhooks.example.com", "x-forwarded-proto": "https"}
	if form != nil {
		headers["content-type"] = "application/x-www-form-urlencoded"
	}
	res, err := g.lambda.ProxyWithContext(context.Background(), events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: rawPath, RawQueryString: query, Headers: headers, Cookies: cookies, Body: form.Encode(),
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: g.stage, DomainName: "webhooks.example.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: rawPath},
		},
	})
	if err != nil {
		g.t.Fatalf("%s %s: %v", method, raw, err)
	}
	set := map[string]string{}
	for _, c := range res.Cookies {
		name, _, _ := strings.Cut(c, "=")
		set[name] = c
	}
	return res.StatusCode, set
}

// hostOnly fails unless the Set-Cookie header is one a browser keeps only
// for this host: __Host- name, Secure, Path=/ and no Domain.
func hostOnly(t *testing.T, header string) {
	t.Helper()
	attrs := strings.Split(header, "; ")
	if !strings.HasPrefix(header, "__Host-") || !slices.Contains(attrs, "Secure") || !slices.Contains(attrs, "Path=/") ||
		!slices.Contains(attrs, "HttpOnly") || slices.ContainsFunc(attrs, func(a string) bool { return strings.HasPrefix(strings.ToLower(a), "domain=") }) {
		t.Fatalf("not a host-only cookie: %q", header)
	}
}

func cookieValue(header string) string {
	pair, _, _ := strings.Cut(header, ";")
	_, v, _ := strings.Cut(pair, "=")
	return v
}

// Over https the portal's cookies are __Host- cookies named for the stage,
// and only those are read: a session cookie a sibling subdomain plants
// with Domain=<parent> (which browsers allow only without the __Host-
// prefix), or one of another stage on the same host, signs no one in.
func TestHTTPSCookiesAreHostOnlyPerStage(t *testing.T) {
	h, m := loginPortal(t)
	for _, c := range []struct{ stage, suffix, other string }{
		{"$default", "", "__Host-portal_session_prod"},
		{"prod", "_prod", "__Host-portal_session"},
		{"prod.eu", "_prod%2Eeu", "__Host-portal_session_prod"},
	} {
		g := newGateway(t, h, c.stage)
		session, org := "__Host-portal_session"+c.suffix, "__Host-portal_org"+c.suffix
		status, set := g.do(http.MethodGet, loginPath(link(t, m, "org_b")), nil, nil)
		if status != http.StatusOK || len(set) != 2 || set[session] == "" || set[org] == "" {
			t.Fatalf("stage %s: sign-in: %d, Set-Cookie %v", c.stage, status, set)
		}
		hostOnly(t, set[session])
		hostOnly(t, set[org])
		// The session's hour, give or take a slow machine's seconds.
		if ck, err := http.ParseSetCookie(set[session]); err != nil || ck.SameSite != http.SameSiteStrictMode || ck.MaxAge < 3000 || ck.MaxAge > 3600 ||
			!strings.Contains(set[org], "SameSite=Lax") {
			t.Fatalf("stage %s: cookie attributes: %v", c.stage, set)
		}
		token := cookieValue(set[session])

		if status, _ := g.do(http.MethodGet, "/portal/events", []string{session + "=" + token}, nil); status != http.StatusOK {
			t.Fatalf("stage %s: with its session cookie: %d", c.stage, status)
		}
		if status, _ := g.do(http.MethodGet, "/portal/events", []string{c.other + "=" + token}, nil); status != http.StatusUnauthorized {
			t.Fatalf("stage %s: with another stage's cookie: %d, want 401", c.stage, status)
		}

		// The sibling's cookie, as a browser's jar hands it to the portal.
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		sibling, _ := url.Parse("https://files.example.com/")
		jar.SetCookies(sibling, []*http.Cookie{{Name: "portal_session", Value: token, Domain: "example.com", Path: "/", Secure: true}})
		portal, _ := url.Parse("https://webhooks.example.com/portal/events")
		var planted []string
		for _, ck := range jar.Cookies(portal) {
			planted = append(planted, ck.String())
		}
		if len(planted) != 1 {
			t.Fatalf("the jar did not hand the sibling's cookie to the portal: %v", planted)
		}
		if status, _ := g.do(http.MethodGet, "/portal/events", planted, nil); status != http.StatusUnauthorized {
			t.Fatalf("stage %s: with a cookie planted by a sibling host: %d, want 401", c.stage, status)
		}

		// Sign out removes the session under the same name, path and
		// Secure, and keeps the organization's (login asks before another).
		s, err := m.Lookup(context.Background(), token)
		if err != nil {
			t.Fatal(err)
		}
		status, set = g.do(http.MethodPost, "/portal/logout", []string{session + "=" + token}, url.Values{"csrf": {s.CSRF}})
		if status != http.StatusSeeOther || len(set) != 1 || !strings.Contains(set[session], "Max-Age=0") {
			t.Fatalf("stage %s: sign out: %d, Set-Cookie %v", c.stage, status, set)
		}
		hostOnly(t, set[session])
	}
}

// Over https the switch question's cookies are __Host- ones too: the
// organization cookie is read only under its https name, and the answer
// needs the question's host-only nonce cookie.
func TestHTTPSSwitchQuestionUsesHostCookies(t *testing.T) {
	h, m := loginPortal(t)
	g := newGateway(t, h, "prod")
	other := link(t, m, "org_a")
	open := loginPath(other)

	// A plain-named organization cookie (a sibling's) is not the browser's.
	if status, set := g.do(http.MethodGet, loginPath(link(t, m, "org_a")), []string{"portal_org=org_b"}, nil); status != http.StatusOK || set["__Host-portal_session_prod"] == "" {
		t.Fatalf("with a plain-named organization cookie: %d, Set-Cookie %v", status, set)
	}

	status, set := g.do(http.MethodGet, open, []string{"__Host-portal_org_prod=org_b"}, nil)
	nonce := set["__Host-portal_switch_prod"]
	if status != http.StatusOK || len(set) != 1 || nonce == "" || !strings.Contains(nonce, "SameSite=Strict") {
		t.Fatalf("another organization's link: %d, Set-Cookie %v", status, set)
	}
	hostOnly(t, nonce)
	answer := url.Values{"token": {other}, "nonce": {cookieValue(nonce)}}

	if status, set := g.do(http.MethodPost, "/portal/login", []string{"portal_switch=" + cookieValue(nonce)}, answer); status != http.StatusForbidden || len(set) != 0 {
		t.Fatalf("continue with a plain-named nonce cookie: %d, Set-Cookie %v", status, set)
	}
	status, set = g.do(http.MethodPost, "/portal/login", []string{"__Host-portal_switch_prod=" + cookieValue(nonce)}, answer)
	if status != http.StatusOK || set["__Host-portal_session_prod"] == "" || !strings.Contains(set["__Host-portal_switch_prod"], "Max-Age=0") {
		t.Fatalf("continue: %d, Set-Cookie %v", status, set)
	}
	hostOnly(t, set["__Host-portal_switch_prod"])
	if s, err := m.Lookup(context.Background(), cookieValue(set["__Host-portal_session_prod"])); err != nil || s.OrgID != "org_a" {
		t.Fatalf("the new session: %+v, %v", s, err)
	}
}

// Over http (`make dev`) the plain names stay, scoped to the portal's
// folder, and a __Host- cookie is not read.
func TestHTTPCookiesKeepThePlainNames(t *testing.T) {
	h, m := loginPortal(t)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, loginPath(link(t, m, "org_b")), nil))
	got := cookies(w)
	session := got["portal_session"]
	if w.Code != http.StatusOK || len(got) != 2 || session == nil || got["portal_org"] == nil || session.Secure || session.Path != "" {
		t.Fatalf("sign-in over http: %d, cookies %v", w.Code, w.Result().Header["Set-Cookie"])
	}
	for name, want := range map[string]int{"portal_session": http.StatusOK, "__Host-portal_session": http.StatusUnauthorized} {
		r := httptest.NewRequest(http.MethodGet, "/portal/events", nil)
		r.AddCookie(&http.Cookie{Name: name, Value: session.Value})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Fatalf("over http with %s: %d, want %d", name, w.Code, want)
		}
	}
}
