package portal

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// visit is one authenticated request: the session and the API client
// acting for its organization.
type visit struct {
	w    http.ResponseWriter
	r    *http.Request
	s    portalsession.Session
	root string // relative URL of the portal's root from this page ("./", "../")
	h    *Handler
	// ctx is the request's context for API calls: they share the
	// request's one admission (api.Admit). Not r's own context: form
	// parses r after the visit is made, so v.r must stay that request.
	ctx context.Context
}

// call makes a JSON API request for the session's organization.
func (v *visit) call(method, path string, body, out any) error {
	p := auth.Principal{OrgID: v.s.OrgID, Subject: "portal"}
	return api.Call(v.ctx, v.h.o.API, p, method, path, body, out)
}

// page wraps a GET handler: it needs a live session. Not inlined, as
// view_parts.go explains.
//
//go:noinline
func (h *Handler) page(fn func(*visit) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		v, ok := h.visitor(w, r)
		if !ok {
			return
		}
		if err := fn(v); err != nil {
			h.failed(v, err)
		}
	})
}

// form wraps a state-changing POST: a live session, a same-origin request
// and the session's anti-forgery token. With the SameSite=Strict cookie
// these are three independent guards against cross-site requests. Not
// inlined, as view_parts.go explains.
//
//go:noinline
func (h *Handler) form(fn func(*visit) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		v, ok := h.visitor(w, r)
		if !ok {
			return
		}
		if !genuine(r, v.s) {
			// Signed in: the menu and a way back. Not "reload": a reload
			// of this answer would send the same stale form again.
			_ = v.show(http.StatusForbidden, view{Title: "This form has expired", Nav: "list", Content: bind(messagePage,
				"Nothing was changed: the form did not come from this site, or its page was opened before you last signed in. Open that page again from your webhooks, then submit it.")})
			return
		}
		if err := fn(v); err != nil {
			h.failed(v, err)
		}
	})
}

// genuine reports whether r is a form of the session s's own pages: from
// this site, with the session's anti-forgery token. ParseForm rather than
// PostFormValue: the portal's forms are urlencoded, and PostFormValue
// would link the multipart parser into the api Lambda. A body that does
// not parse (too large, or multipart) leaves PostForm empty, so the token
// check refuses it.
func genuine(r *http.Request, s portalsession.Session) bool {
	_ = r.ParseForm()
	return sameOrigin(r) && subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.CSRF)) == 1
}

func (h *Handler) visitor(w http.ResponseWriter, r *http.Request) (*visit, bool) {
	v, err := h.signedIn(w, r)
	if err != nil {
		if !signedOut(err) {
			h.message(w, r, http.StatusInternalServerError, "Something went wrong", "We could not check your session. Try again in a moment.")
			return nil, false
		}
		if framedCrossSite(r) { // no session ended: none could start here
			h.message(w, r, http.StatusUnauthorized, newTabTitle, h.crossSite()+" "+h.again(r, "get a link that opens in a new tab"))
			return nil, false
		}
		if r.Pattern == logoutRoute { // signed out already (a reload, another tab)
			signedOutAt(w)
			return nil, false
		}
		h.message(w, r, http.StatusUnauthorized, "Your session has ended", notDone(r)+
			"You signed out, or the session reached its one-hour limit. "+h.again(r, "continue"))
		return nil, false
	}
	return v, h.admitted(v)
}

// admitted charges the visit's organization one request of its API rate
// limit (api.Admit), whatever the visit does: a page or form that makes no
// API call (the catalog, a form refused for its token or its one-time
// value) is not free, and the API calls a visit makes share that charge.
// Over the limit it answers 429 with Retry-After, as the API does, except
// to a genuine sign-out: a tenant must be able to end a session (on a
// shared computer) while its backend publishes at the limit, and once
// ended the session's requests are signed-out ones, which cost nothing to
// serve. A sign-out without the session's token is refused as any form.
func (h *Handler) admitted(v *visit) bool {
	ctx, err := api.Admit(v.r.Context(), h.o.API, v.s.OrgID)
	v.ctx = ctx
	if err != nil && !(v.r.Pattern == logoutRoute && genuine(v.r, v.s)) {
		h.failed(v, err)
		return false
	}
	return true
}

// signedIn is the visit of the request's live session. A lookup that
// failed for another reason than a missing or ended session is logged.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request) (*visit, error) {
	c, err := readCookie(r, cookieName)
	var s portalsession.Session
	if err == nil {
		s, err = h.o.Sessions.Lookup(r.Context(), c.Value)
	}
	if err != nil {
		if !signedOut(err) {
			h.o.Logger.Error("portal session lookup failed", "error", err.Error())
		}
		return nil, err
	}
	if info, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		info.orgID = s.OrgID
	}
	// Not admitted yet: admitted charges the visit, once.
	return &visit{w: w, r: r, s: s, root: rootOf(r.URL.Path), h: h, ctx: r.Context()}, nil
}

// signedOut: the request has no session, or one that ended.
func signedOut(err error) bool {
	return errors.Is(err, portalsession.ErrInvalid) || errors.Is(err, http.ErrNoCookie)
}

// notFound answers a path no route serves. A signed-in visitor keeps the
// menu and a way back to the list, as on every page of theirs; anyone
// else gets the page alone, whose words point at no menu.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	v, err := h.signedIn(w, r)
	if err != nil {
		h.message(w, r, http.StatusNotFound, "Page not found",
			"There is no such page. Open the webhooks page from "+h.o.Config.Portal.ProductName+" to continue.")
		return
	}
	if !h.admitted(v) {
		return
	}
	_ = v.show(http.StatusNotFound, view{Title: "Page not found", Content: bind(messagePage, "There is no such page: use the menu above, or go back to your webhooks.")})
}

// sameOrigin refuses requests a browser marks as coming from another site.
// Browsers that send neither header still face the token check.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}

// login exchanges a login link's token for a session cookie. A browser
// last signed in to another organization (its session ended or not) is
// asked first: any tenant can mint
// links for its own organization, and one opened for it by another site
// would otherwise swap the session silently, so that the endpoint the
// user sets up next (its URL's own tokens included) is the other
// tenant's to read.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.URL.Query().Get("token")
	if framedCrossSite(r) {
		// Not redeemed: the session cookie would be refused, and the link
		// used up for nothing. The same link opens in a new tab, a
		// top-level navigation, where the cookie is kept and sent.
		h.o.Logger.Info("portal framed cross-site: its login link is offered in a new tab")
		h.render(w, r, http.StatusOK, view{Title: newTabTitle, NewTab: "login?token=" + url.QueryEscape(token), Content: bind(messagePage, h.crossSite())})
		return
	}
	if c, err := readCookie(r, orgCookieName); err == nil {
		if org, err := h.o.Sessions.LoginOrg(r.Context(), token); err == nil && org != c.Value {
			nonce := rand.Text()
			setCookie(w, r, switchCookieName, nonce, time.Now().Add(portalsession.LoginTTL), http.SameSiteStrictMode)
			h.render(w, r, http.StatusOK, view{Title: "Switch organization?",
				Content: bind(switchOrgPage, switchOrg{From: c.Value, To: org, Token: token, Nonce: nonce})})
			return
		}
	}
	h.signIn(w, r, token)
}

// switchOrg is login's question to a browser signed in to another
// organization.
type switchOrg struct {
	From, To string // organization ids: the session's, the link's
	Token    string // the link's login token, used only if the visitor continues
	Nonce    string // the question's, also in its Strict cookie
}

// switchLogin is the answer to login's question: only from the portal's
// own page, which alone shows the link's token in a form.
func (h *Handler) switchLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	_ = r.ParseForm() // as in form: no multipart parser
	c, err := readCookie(r, switchCookieName)
	if err != nil || !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("nonce"))) != 1 {
		h.message(w, r, http.StatusForbidden, "This form has expired",
			"The request did not come from this page. Open the webhooks page from "+h.o.Config.Portal.ProductName+" again.")
		return
	}
	setCookie(w, r, switchCookieName, "", time.Time{}, http.SameSiteStrictMode)
	h.signIn(w, r, r.PostForm.Get("token"))
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, loginToken string) {
	token, s, err := h.o.Sessions.Redeem(r.Context(), loginToken)
	if errors.Is(err, portalsession.ErrInvalid) {
		if h.reopened(w, r, loginToken) {
			return
		}
		if usedLinkFromAnotherSite(r) {
			h.reopenFromOwnSite(w, r, loginToken)
			return
		}
		h.message(w, r, http.StatusUnauthorized, "This link has expired",
			"Sign-in links work once and only for a few minutes. "+h.again(r, "get a new one"))
		return
	}
	if err != nil {
		h.o.Logger.Error("portal login failed", "error", err.Error())
		h.message(w, r, http.StatusInternalServerError, "Something went wrong", "We could not sign you in. Try the link again in a moment.")
		return
	}
	if s.Unrecorded != nil {
		h.o.Logger.Warn("portal login: the link opened again will say it has expired", "org_id", s.OrgID, "error", s.Unrecorded.Error())
	}
	setCookie(w, r, cookieName, token, s.ExpiresAt, http.SameSiteStrictMode)
	setCookie(w, r, orgCookieName, s.OrgID, time.Now().Add(orgMemory), http.SameSiteLaxMode)
	h.showSignedIn(w, r)
}

// showSignedIn leads a signed-in browser on to its webhooks. A page, not
// a redirect: a redirect would still belong to the navigation from the
// deploying team's site, and the Strict cookie would not be sent with it.
// This page's own navigation is same-site.
func (h *Handler) showSignedIn(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, view{Title: "Signed in", Head: refreshTo("./"),
		Content: bind(onwardPage, onward{Heading: "You are signed in", Href: "./", Button: "Continue to your webhooks"})})
}

// reopened answers a used sign-in link opened again by a browser signed in
// to the organization that link signed in to (a second tab, a frame loaded
// again, an app mounting its frame again with the same src): it goes on to
// its webhooks rather than to a dead end. Nothing is issued: the browser
// keeps the session it holds. Otherwise (false) it answers nothing, and
// the link is expired as before: a browser without a session gets none
// from a used link, and one signed in to another organization is not led
// to that organization's webhooks by a link of a different one.
func (h *Handler) reopened(w http.ResponseWriter, r *http.Request, loginToken string) bool {
	v, err := h.signedIn(w, r)
	if err != nil {
		return false
	}
	if org, err := h.o.Sessions.RedeemedOrg(r.Context(), loginToken); err != nil || org != v.s.OrgID {
		if err != nil && !signedOut(err) {
			h.o.Logger.Error("portal used login lookup failed", "error", err.Error())
		}
		return false
	}
	if h.admitted(v) {
		h.showSignedIn(w, r)
	}
	return true
}

// onward is what onwardPage shows: its heading, and its button's target
// and words.
type onward struct{ Heading, Href, Button string }

// reopenedParam marks a used link the portal's own page opened again.
const reopenedParam = "reopened"

// usedLinkFromAnotherSite: a used sign-in link followed from another
// site (an email, a chat, the deploying team's app on another domain) by
// a browser that signed in here before: its portal_org cookie (Lax) came
// along, the session cookie (Strict) could not, so reopened could not
// tell whether the browser is still signed in. Once only: the page's own
// request carries the mark.
func usedLinkFromAnotherSite(r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.Query().Has(reopenedParam) ||
		r.Header.Get("Sec-Fetch-Site") != "cross-site" || r.Header.Get("Sec-Fetch-Dest") != "document" {
		return false
	}
	_, err := readCookie(r, orgCookieName)
	return err == nil
}

// reopenFromOwnSite answers such a link with a page that opens it again: a
// navigation of the portal's own site, which carries the session cookie,
// so reopened leads a browser still signed in to the link's organization
// on to its webhooks, and any other finds the link expired. It changes
// nothing and issues no cookie.
func (h *Handler) reopenFromOwnSite(w http.ResponseWriter, r *http.Request, loginToken string) {
	next := "login?token=" + url.QueryEscape(loginToken) + "&" + reopenedParam + "=1"
	h.render(w, r, http.StatusOK, view{Title: "Checking your sign-in", Head: refreshTo(next),
		Content: bind(onwardPage, onward{Heading: "Checking your sign-in", Href: next, Button: "Continue"})})
}

func (h *Handler) logout(v *visit) error {
	c, _ := readCookie(v.r, cookieName) // visitor() found it
	if err := h.o.Sessions.End(v.r.Context(), c.Value); err != nil {
		return err
	}
	setCookie(v.w, v.r, cookieName, "", time.Time{}, http.SameSiteStrictMode)
	signedOutAt(v.w)
	return nil
}

// signedOutAt sends a sign-out to its own page (post/redirect/get), so a
// reload or a restored tab shows it again rather than re-sending the form.
// Both are at the portal's root, so the relative URL works under any base.
func signedOutAt(w http.ResponseWriter) {
	w.Header().Set("Location", "logout")
	w.WriteHeader(http.StatusSeeOther)
}

// signedOutPage is that page. A GET changes nothing (a link elsewhere must not
// sign anyone out): a visitor still signed in is sent to their webhooks.
func (h *Handler) signedOutPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if _, err := h.signedIn(w, r); err == nil {
		w.Header().Set("Location", "./")
		w.WriteHeader(http.StatusSeeOther)
		return
	}
	h.message(w, r, http.StatusOK, "You are signed out", h.again(r, "sign in"))
}

// notDone says that a form sent without a session changed nothing.
func notDone(r *http.Request) string {
	switch {
	case r.Method != http.MethodPost:
		return ""
	case strings.HasSuffix(r.URL.Path, "/webhooks/new"):
		return "The webhook was not created. "
	}
	return "Nothing was changed. "
}

// newTabTitle is the page of a portal framed by another site.
const newTabTitle = "Open webhooks in a new tab"

// framed: the request loads a page into an iframe (Fetch Metadata, which
// current Chromium, Firefox and Safari send).
func framed(r *http.Request) bool { return r.Header.Get("Sec-Fetch-Dest") == "iframe" }

// framedCrossSite: a page of another site frames the portal. The browser
// neither keeps nor sends the SameSite=Strict session cookie there, so no
// session can start in it (README "Embedding").
func framedCrossSite(r *http.Request) bool {
	return framed(r) && r.Header.Get("Sec-Fetch-Site") == "cross-site"
}

// crossSite says why a cross-site frame cannot sign in.
func (h *Handler) crossSite() string {
	return h.o.Config.Portal.ProductName + " shows this page from another site, where your browser will not keep you signed in."
}

// again tells a signed-out visitor how to get a new login link. In a frame
// they are on the host product's webhooks page already, whose reload
// brings one.
func (h *Handler) again(r *http.Request, to string) string {
	if framed(r) {
		return "Reload this page to " + to + "."
	}
	return "Open the webhooks page from " + h.o.Config.Portal.ProductName + " again to " + to + "."
}

// rootOf is the relative URL from a portal page to the portal's root, so
// links work under any base path the API is served from.
func rootOf(path string) string {
	rest := strings.TrimPrefix(path, Prefix)
	if n := strings.Count(rest, "/"); n > 0 {
		return strings.Repeat("../", n)
	}
	return "./"
}

// seeOther redirects to a portal page after a change (303: the browser
// GETs it). Location stays relative for the same base-path reason.
func (v *visit) seeOther(page string) error {
	v.w.Header().Set("Location", v.root+page)
	v.w.WriteHeader(http.StatusSeeOther)
	return nil
}
