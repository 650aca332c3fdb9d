package portal

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/netguard"
)

// view is what every page template gets.
type view struct {
	Root   string // relative URL of the portal's root
	Brand  config.Portal
	CSRF   string
	Title  string
	Nav    string // the menu entry to highlight
	Notice string // a success message
	Error  string // a page-level error, in words
	Data   any
}

// pageNames are the templates under templates/ that are whole pages; the
// others (layout, partials) are shared by all of them.
var pageNames = []string{"list", "new", "secret", "endpoint", "delete", "events", "verify", "message", "signedin"}

var funcs = template.FuncMap{
	"mask":    netguard.Mask,
	"when":    when,
	"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"outcome": outcomeLabel,
	"join":    strings.Join,
	"initial": func(s string) string { r, _ := utf8.DecodeRuneInString(s); return strings.ToUpper(string(r)) },
}

func parsePages() (map[string]*template.Template, error) {
	shared, err := fs.Glob(templateFS, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, append(shared, "templates/"+name+".html")...)
		if err != nil {
			return nil, fmt.Errorf("portal: template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

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
	}
	return o
}

func percent(part, whole int) string { return strconv.Itoa(part*100/whole) + "%" }

// render writes a whole page. Templates execute into a buffer first, so a
// template error becomes a clean 500 rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	v.Brand = h.o.Config.Portal
	if v.Root == "" {
		v.Root = rootOf(r.URL.Path)
	}
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.o.Logger.Error("portal template failed", "page", page, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// show renders a page of an authenticated visit.
func (v *visit) show(status int, page string, data view) error {
	data.Root, data.CSRF = v.root, v.s.CSRF
	v.h.render(v.w, v.r, status, page, data)
	return nil
}

// message is a page with a title and one paragraph (errors, signed out).
func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, title, text string) {
	h.render(w, r, status, "message", view{Title: title, Data: text})
}

// failed shows an error no page handled itself, in the API's words.
func (h *Handler) failed(v *visit, err error) {
	var ce *api.CallError
	switch {
	case errors.As(err, &ce) && ce.Status == http.StatusNotFound:
		h.message(v.w, v.r, http.StatusNotFound, "Not found", "This endpoint or delivery does not exist (it may have been deleted).")
	case errors.As(err, &ce) && ce.Status < 500:
		h.message(v.w, v.r, ce.Status, "That did not work", sentence(ce.Message))
	default:
		h.o.Logger.Error("portal page failed", "route", v.r.Pattern, "error", err.Error())
		h.message(v.w, v.r, http.StatusInternalServerError, "Something went wrong", "The service could not complete this request. Try again in a moment.")
	}
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
// (a stylesheet rather than an inline style, which the CSP forbids).
func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if name == "brand.css" {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		fmt.Fprintf(w, ":root{--accent:%s}\n", h.o.Config.Portal.AccentColor)
		return
	}
	b, err := staticFS.ReadFile("static/" + path.Base(name))
	if err != nil {
		h.message(w, r, http.StatusNotFound, "Page not found", "There is no such file.")
		return
	}
	w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	_, _ = w.Write(b)
}
