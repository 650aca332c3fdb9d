package portal

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
)

// The portal's cookies, by their names over http (`make dev`). Over https
// each is named by cookieNameFor instead.
const (
	// cookieName holds the session token.
	cookieName = "portal_session"
	// orgCookieName names the organization this browser's session acts
	// for. The session cookie is SameSite=Strict, so a login link opened
	// from another site arrives without it; this one is Lax, so it
	// arrives, and a link for another organization is not followed
	// without asking (see login). It is no credential: it grants nothing.
	// It outlives the session (orgMemory) and Sign out keeps it: a link
	// opened for a browser whose session has ended would otherwise switch
	// organization without asking.
	orgCookieName = "portal_org"
	// switchCookieName holds the nonce of login's question, which its form
	// echoes: a Strict cookie, so the answer can only come from that page,
	// even from a browser that sends neither Origin nor Sec-Fetch-Site.
	switchCookieName = "portal_switch"
)

// orgMemory is how long a browser remembers the organization it last
// signed in to, renewed at each sign-in.
const orgMemory = 90 * 24 * time.Hour

// hostPrefix makes browsers refuse the cookie unless it is Secure, has
// Path=/ and no Domain, and was set by this very host: a sibling
// subdomain (the portal is meant to live on one of the deploying team's
// domain) cannot plant a session of its choosing with Domain=<parent>.
const hostPrefix = "__Host-"

// cookieNameFor is the name of one of the portal's cookies for r. Over
// https it carries hostPrefix, and, as Path=/ widens it to the whole
// host, the named stage the portal is served under, so that two stages
// on one host never read each other's cookies. Over http (`make dev` on
// loopback) browsers would refuse a Secure cookie: the plain name, scoped
// to the portal's folder. Only this name is read, so a plain-named cookie
// planted by a sibling host is ignored over https.
func cookieNameFor(r *http.Request, name string) string {
	if api.Scheme(r) != "https" {
		return name
	}
	if stage := api.NamedStage(r); stage != "" {
		return hostPrefix + name + "_" + cookieSafe(stage)
	}
	return hostPrefix + name
}

// cookieSafe keeps the letters, digits, '-' and '_' of a stage name (all
// an HTTP API stage name may hold) and writes any other byte as %XX, so
// every stage gets its own valid cookie name.
func cookieSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// readCookie is r's cookie of that name, under the name for r's scheme.
func readCookie(r *http.Request, name string) (*http.Cookie, error) {
	return r.Cookie(cookieNameFor(r, name))
}

// setCookie sets one of the portal's cookies until expires (in the past:
// removes it, which needs the same name, path and Secure as setting it).
// Over http there is no Path: the browser scopes the cookie to this
// page's folder, which is the portal's root under whatever base path
// serves it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, expires time.Time, site http.SameSite) {
	maxAge := int(time.Until(expires).Seconds())
	if maxAge <= 0 {
		maxAge = -1
	}
	c := &http.Cookie{
		Name: cookieNameFor(r, name), Value: value, Expires: expires, MaxAge: maxAge,
		HttpOnly: true, SameSite: site,
	}
	if api.Scheme(r) == "https" {
		c.Secure, c.Path = true, "/"
	}
	http.SetCookie(w, c)
}
