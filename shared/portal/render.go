package portal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
)

// view is what every page shares: the layout's parts, and the page's own
// content, which is built once Root and CSRF are known.
type view struct {
	Root   string // relative URL of the portal's root
	Brand  config.Portal
	Assets string // the static files' version (assetVersion)
	CSRF   string
	Org    string // the session's organization, shown so a switch is seen
	Title  string
	Nav    string // the menu entry to highlight
	Notice string // a success message
	Error  string // a page-level error, in words
	// Problems are the fields Error is about, linked from it.
	Problems []problem
	Head     templ.Component // more of <head> (the signed-in page's refresh)
	NewTab   string          // a link messagePage opens in a new tab (a cross-site frame's login)
	// Back is where messagePage's button leads a signed-in visitor, and
	// its words: the list unless the page says otherwise.
	Back, BackText string
	Content        content
}

// content is a page's body below the notices. Pages are templ templates
// (*.templ, compiled to *_templ.go by `make generate`) rather than
// html/template files: executing an html/template looks methods up by
// name through reflection, and then the linker must keep every exported
// method of every type in the binary, which put the api Lambda about 5 MB
// over its size budget. templ escapes every text and attribute value and
// checks URL schemes, as html/template did.
type content func(view) templ.Component

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// outcomeLabel is an attempt outcome in words.
func outcomeLabel(o string) string {
	switch o {
	case deliverylog.OutcomeDelivered:
		return "Delivered"
	case deliverylog.OutcomeRetrying:
		return "Failed, retrying"
	case deliverylog.OutcomeDeadLettered:
		return "Failed, gave up"
	case deliverylog.OutcomeRemoved:
		return "Endpoint answered 410 Gone"
	case deliverylog.OutcomeSkipped:
		return "Skipped"
	case deliverylog.OutcomeFailed:
		return "Failed, not retried (test)"
	}
	return o
}

func percent(part, whole int) string { return strconv.Itoa(part*100/whole) + "%" }

// render writes a whole page. It renders into a buffer first, so an error
// becomes a clean 500 rather than half a page; not under the request's
// context, which templ would check, as a page is built in memory in
// microseconds and a visitor who left needs no error logged.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, v view) {
	v.Brand, v.Assets = h.o.Config.Portal, h.assets
	if v.Root == "" {
		v.Root = rootOf(r.URL.Path)
	}
	if v.Back == "" {
		v.Back, v.BackText = v.Root, "Back to your webhooks"
	}
	var buf bytes.Buffer
	if err := layout(v).Render(context.Background(), &buf); err != nil {
		h.o.Logger.Error("portal page failed to render", "route", r.Pattern, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// show renders a page of an authenticated visit.
func (v *visit) show(status int, data view) error {
	data.Root, data.CSRF, data.Org = v.root, v.s.CSRF, v.s.OrgID
	v.h.render(v.w, v.r, status, data)
	return nil
}

// message is a page with a title and one paragraph (errors, signed out).
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	h.render(w, r, status, view{Title: title, Content: bind(messagePage, text)})
}

// failed shows an error no page handled itself, in the API's words.
func (h *Handler) failed(v *visit, err error) {
	var ce *api.CallError
	switch {
	case errors.As(err, &ce) && ce.Status == http.StatusNotFound:
		// Signed in, so with the menu and a way back to the list.
		_ = v.show(http.StatusNotFound, view{Title: "Not found", Nav: "list", Content: bind(messagePage, "This endpoint or delivery does not exist (it may have been deleted).")})
	case errors.As(err, &ce) && ce.Status < 500:
		if ce.RetryAfter > 0 { // over the organization's rate limit
			v.w.Header().Set("Retry-After", strconv.Itoa(ce.RetryAfter))
		}
		if ce.Code == "invalid_cursor" {
			// Only an edited page link (?cursor=) gets here: the API's
			// words name its parameter.
			v.badCursor(ce.Status)
			return
		}
		_ = v.show(ce.Status, view{Title: "That did not work", Nav: "list", Content: bind(messagePage, sentence(ce.Message))})
	default:
		if errors.Is(v.r.Context().Err(), context.Canceled) {
			// The browser left the page (make dev's server then cancels
			// its calls; Lambda never does): no failure of the service.
			h.o.Logger.Info("portal page canceled", "route", v.r.Pattern, "error", err.Error())
		} else {
			h.o.Logger.Error("portal page failed", "route", v.r.Pattern, "error", err.Error())
		}
		h.message(v.w, v.r, http.StatusInternalServerError, "Something went wrong", "The service could not complete this request. Try again in a moment.")
	}
}

// badCursor answers a page link whose ?cursor= the API refused. Its
// button leads to the first page of the page the visitor was on: the
// list's, or that endpoint's attempt log with its outcome filter (the
// list would lose the endpoint). Nothing else of the query is kept: ?done=
// would say a change's notice again.
func (v *visit) badCursor(status int) {
	d := view{Title: "Page link not valid", Nav: "list"}
	where := "your webhooks"
	if page := strings.TrimPrefix(v.r.URL.EscapedPath(), Prefix); page != "" && page != v.r.URL.EscapedPath() {
		where = "this endpoint's newest attempts"
		d.Back, d.BackText = v.root+page+query([2]string{"outcome", v.r.URL.Query().Get("outcome")}), "Back to the newest attempts"
	}
	d.Content = bind(messagePage, "This page link is not valid: it may have been edited. Start again from "+where+".")
	_ = v.show(status, d)
}

// sentence ends an API message for display. The words stay the API's own
// (they name the field as the API does, such as "url").
func sentence(msg string) string {
	if msg == "" || strings.HasSuffix(msg, ".") {
		return msg
	}
	return msg + "."
}

// static serves the embedded assets; brand.css carries the accent colour
// and the text colours that read on it and as it (contrast.go), a
// stylesheet rather than an inline style, which the CSP forbids.
func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if name == "brand.css" {
		h.cacheAsset(w, r)
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		_, _ = io.WriteString(w, brandCSS(h.o.Config.Portal.AccentColor))
		return
	}
	b, err := staticFS.ReadFile("static/" + path.Base(name))
	if err != nil {
		// Not cached as the version's: a file added later under this
		// name would be hidden for a year.
		h.message(w, r, http.StatusNotFound, "Page not found", "There is no such file.")
		return
	}
	h.cacheAsset(w, r)
	w.Header().Set("Content-Type", staticTypes[path.Ext(name)])
	_, _ = w.Write(b)
}

// staticTypes are the media types of the embedded assets, by extension
// (a test checks every asset has one). A table rather than
// mime.TypeByExtension, whose answer depends on the host's mime.types
// files and whose tables weigh on the api Lambda's size budget.
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
}
