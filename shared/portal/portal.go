// Package portal is the tenant portal: the "Settings → Webhooks" pages a
// deploying team links to or embeds, so its customers manage their own
// endpoints. It is served by the api Lambda (and `hookrelay dev`) next to
// the JSON API, as server-rendered HTML with embedded assets and a little
// progressive-enhancement script.
//
// The portal holds no business rules: every read and change is a request
// to the JSON API's own handler, made in-process (api.Call) for the
// organization of the visitor's session, so validation, limits and error
// messages are exactly the API's.
package portal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/httpstatus"
	"github.com/hookrelay/hookrelay/shared/portalsession"
)

// Prefix is where the portal is mounted, relative to the API's root.
const Prefix = "/portal/"

// Options are the portal's collaborators.
type Options struct {
	API      http.Handler // the JSON API (api.NewHandler): every action goes through it
	Sessions *portalsession.Manager
	Catalog  *catalog.Catalog
	Config   config.Config // Portal (brand), HeaderPrefix
	Logger   *slog.Logger
}

//go:embed static
var staticFS embed.FS

// Handler serves the portal's pages under Prefix.
type Handler struct {
	o      Options
	mux    *http.ServeMux
	csp    string
	assets string // assetVersion
}

// New builds the portal.
func New(o Options) (*Handler, error) {
	if o.API == nil || o.Sessions == nil || o.Catalog == nil {
		return nil, errors.New("portal: API, Sessions and Catalog are required")
	}
	if err := o.Config.Portal.Validate(); err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Handler{o: o, mux: http.NewServeMux(), csp: contentSecurityPolicy(o.Config.Portal), assets: assetVersion(o.Config.Portal)}
	h.routes()
	return h, nil
}

// logoutRoute is sign-out's pattern, which admitted tells apart.
const logoutRoute = "POST " + Prefix + "logout"

func (h *Handler) routes() {
	p := strings.TrimSuffix(Prefix, "/")
	h.mux.HandleFunc("GET "+p+"/static/{name}", h.static)
	h.mux.HandleFunc("GET "+portalsession.LoginPath, h.login)
	h.mux.HandleFunc("POST "+portalsession.LoginPath, h.switchLogin)
	h.mux.Handle(logoutRoute, h.form(h.logout))
	h.mux.HandleFunc("GET "+p+"/logout", h.signedOutPage)
	h.mux.Handle("GET "+p+"/{$}", h.page(h.list))
	h.mux.Handle("GET "+p+"/webhooks/new", h.page(h.newForm))
	h.mux.Handle("POST "+p+"/webhooks/new", h.form(h.create))
	h.mux.Handle("GET "+p+"/webhooks/{id}", h.page(h.endpoint))
	h.mux.Handle("POST "+p+"/webhooks/{id}", h.form(h.edit))
	h.mux.Handle("POST "+p+"/webhooks/{id}/enabled", h.form(h.setEnabled))
	h.mux.Handle("GET "+p+"/webhooks/{id}/delete", h.page(h.confirmDelete))
	h.mux.Handle("POST "+p+"/webhooks/{id}/delete", h.form(h.delete))
	h.mux.Handle("GET "+p+"/webhooks/{id}/disable", h.page(h.confirmDisable))
	h.mux.Handle("GET "+p+"/webhooks/{id}/enable", h.page(h.confirmEnable))
	h.mux.Handle("GET "+p+"/webhooks/{id}/rotate", h.page(h.confirmRotate))
	h.mux.Handle("POST "+p+"/webhooks/{id}/rotate", h.form(h.rotate))
	h.mux.Handle("POST "+p+"/webhooks/{id}/test", h.form(h.sendTest))
	h.mux.Handle("POST "+p+"/webhooks/{id}/resend", h.form(h.resend))
	h.mux.Handle("POST "+p+"/webhooks/{id}/recover", h.form(h.recoverEndpoint))
	h.mux.Handle("GET "+p+"/events", h.page(h.catalog))
	h.mux.Handle("GET "+p+"/verify", h.page(h.verify))
}

// ServeHTTP sets the security headers every answer carries and logs one
// line per request (never the query: a login link carries its token there).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", h.csp)
	hd.Set("X-Content-Type-Options", "nosniff")
	// same-origin, not no-referrer: with no-referrer browsers send
	// "Origin: null" on form posts, which the origin check must refuse.
	// Nothing leaves for another origin either way (the logo, a link out).
	hd.Set("Referrer-Policy", "same-origin")
	if len(h.o.Config.Portal.FrameAncestors) == 0 {
		hd.Set("X-Frame-Options", "DENY")
	}
	sw := &httpstatus.Writer{ResponseWriter: w}
	info := &requestInfo{}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
	defer h.recoverPanic(sw, r)
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.notFound(sw, r)
	} else {
		h.mux.ServeHTTP(sw, r)
	}
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("route", route), slog.Int("status", sw.Status)}
	if info.orgID != "" {
		attrs = append(attrs, slog.String("org_id", info.orgID))
	}
	h.o.Logger.LogAttrs(r.Context(), slog.LevelInfo, "portal request", attrs...)
}

type requestInfoKey struct{}

// requestInfo carries the session's organization from the page handler to
// the request's log line.
type requestInfo struct{ orgID string }

// recoverPanic turns a panic into an error page (the api Lambda's adapter
// would otherwise fail the whole invocation), logging code locations only.
func (h *Handler) recoverPanic(w *httpstatus.Writer, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.o.Logger.LogAttrs(r.Context(), slog.LevelError, "panic in portal handler",
		slog.String("route", r.Pattern), slog.String("stack", string(debug.Stack())))
	if w.Status == 0 {
		h.message(w, r, http.StatusInternalServerError, "Something went wrong", "The service could not complete this request. Try again in a moment.")
	}
}

// contentSecurityPolicy allows only the portal's own scripts, styles and
// images (plus the brand logo's origin), forms posting to itself, and
// framing by the configured origins alone.
func contentSecurityPolicy(b config.Portal) string {
	img := "'self'"
	if o := b.LogoOrigin(); o != "" {
		img += " " + o
	}
	frame := "'none'"
	if len(b.FrameAncestors) > 0 {
		frame = strings.Join(b.FrameAncestors, " ")
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors " + frame
}

// Mount serves the portal's pages under Prefix and everything else from
// api, so one handler (one Lambda, one `make dev` address) serves both.
func Mount(api http.Handler, pages *Handler) http.Handler {
	bare := strings.TrimSuffix(Prefix, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, Prefix):
			pages.ServeHTTP(w, r)
		case r.URL.Path == bare && r.Method == http.MethodGet:
			// Relative, so it works under any base path.
			w.Header().Set("Location", bare[1:]+"/")
			w.WriteHeader(http.StatusMovedPermanently)
		default:
			api.ServeHTTP(w, r)
		}
	})
}
