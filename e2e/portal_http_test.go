package e2e

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// portalClient is a cookie-keeping HTTP client signed into the portal.
type portalClient struct {
	t      *testing.T
	s      *stack
	client *http.Client
}

func signInHTTP(t *testing.T, tn *tenant) (*portalClient, *http.Response) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	pc := &portalClient{t: t, s: tn.s, client: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	res, _ := pc.do(http.MethodGet, tn.portalLink(), nil, nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	return pc, res
}

func (pc *portalClient) do(method, u string, form url.Values, header map[string]string) (*http.Response, string) {
	pc.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		pc.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := pc.client.Do(req)
	if err != nil {
		pc.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var (
	csrfField   = regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`)
	shownSecret = regexp.MustCompile(`<code id="secret" class="secret">(whsec_[^<]+)</code>`)
)

// TestPortalRefusesForgedRequests: a state change needs the session's form
// token and a same-origin request; the cookie is HttpOnly and Strict; the
// CSP allows no inline script; a portal session never reaches the API
// (admin routes included) by itself; logout ends the session.
func TestPortalRefusesForgedRequests(t *testing.T) {
	t.Parallel()
	s := sharedStack(t)
	tn := newTenant(t, s, "csrf")
	pc, signedIn := signInHTTP(t, tn)

	cookie := signedIn.Header.Get("Set-Cookie")
	for _, want := range []string{"portal_session=", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Set-Cookie %q is Secure on plain http (the browser would drop it)", cookie)
	}
	// Behind API Gateway (https) the cookie is a host-only __Host- one
	// (README "Cookies"): Secure, Path=/.
	behindTLS, _ := pc.do(http.MethodGet, tn.portalLink(), nil, map[string]string{"X-Forwarded-Proto": "https"})
	if c := behindTLS.Header.Get("Set-Cookie"); behindTLS.StatusCode != http.StatusOK || !strings.HasPrefix(c, "__Host-portal_session=") ||
		!strings.Contains(c, "; Secure") || !strings.Contains(c, "; Path=/;") || strings.Contains(c, "Domain=") {
		t.Errorf("over https: %d, Set-Cookie %q is not a __Host- cookie", behindTLS.StatusCode, c)
	}
	// /portal without the slash leads to the portal, relatively.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := noFollow.Get(s.API + "/portal"); err != nil || res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "portal/" {
		t.Errorf("GET /portal: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	if strings.Contains(cookie, "Path=") {
		t.Errorf("Set-Cookie %q names a Path: the portal's folder must scope it under any base path", cookie)
	}
	csp := signedIn.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}

	createPage, body := pc.do(http.MethodGet, s.API+"/portal/webhooks/new", nil, nil)
	m := csrfField.FindStringSubmatch(body)
	if createPage.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("create page: %d, csrf field found: %v", createPage.StatusCode, m != nil)
	}
	form := url.Values{"name": {"forged"}, "url": {"http://127.0.0.1:9/forged"}, "event_types": {"emailOpen"}}
	origin := map[string]string{"Origin": s.API, "Sec-Fetch-Site": "same-origin"}

	forged := []struct {
		name   string
		csrf   string
		header map[string]string
	}{
		{"no token", "", origin},
		{"wrong token", strings.Repeat("0", 64), origin},
		{"another site's Origin", m[1], map[string]string{"Origin": "https://evil.example"}},
		{"cross-site fetch metadata", m[1], map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"null Origin", m[1], map[string]string{"Origin": "null"}},
	}
	for _, f := range forged {
		v := url.Values{}
		for k, vs := range form {
			v[k] = vs
		}
		if f.csrf != "" {
			v.Set("csrf", f.csrf)
		}
		if res, _ := pc.do(http.MethodPost, s.API+"/portal/webhooks/new", v, f.header); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", f.name, res.StatusCode)
		}
	}
	if hooks := tn.listWebhooks(); len(hooks) != 0 {
		t.Fatalf("a forged request created %+v", hooks)
	}

	form.Set("csrf", m[1])
	form.Set("once", onceField.FindStringSubmatch(body)[1]) // the create form's one-time value
	res, page := pc.do(http.MethodPost, s.API+"/portal/webhooks/new", form, origin)
	secret := shownSecret.FindStringSubmatch(page)
	if res.StatusCode != http.StatusCreated || secret == nil {
		t.Fatalf("genuine create: %d", res.StatusCode)
	}
	createdSecrets.add(html.UnescapeString(secret[1])) // html/template writes + as &#43;
	if res, _ := pc.do(http.MethodGet, s.API+"/portal/webhooks/new", nil, nil); res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("pages may be cached: Cache-Control %q", res.Header.Get("Cache-Control"))
	}

	// The cookie is no credential for the JSON API.
	for _, path := range []string{"/api/v1/organization/webhooks", "/api/v1/admin/dlq"} {
		if res, _ := pc.do(http.MethodGet, s.API+path, nil, nil); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET %s with only the portal cookie: %d, want 401", path, res.StatusCode)
		}
	}

	if res, body := pc.do(http.MethodPost, s.API+"/portal/logout", url.Values{"csrf": {m[1]}}, origin); res.StatusCode != http.StatusOK || res.Request.URL.Path != "/portal/logout" || res.Request.Method != http.MethodGet || !strings.Contains(body, "You are signed out") {
		t.Fatalf("logout: %d %s %s, want the signed-out page's own GET (post/redirect/get)", res.StatusCode, res.Request.Method, res.Request.URL.Path)
	}
	if res, _ := pc.do(http.MethodGet, s.API+"/portal/", nil, nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after logout: %d, want 401", res.StatusCode)
	}
}
