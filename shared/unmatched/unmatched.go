// Package unmatched serves a ServeMux whose API answers errors in JSON:
// a request no pattern matches gets the JSON error the OpenAPI document
// promises (404 route_not_found, 405 method_not_allowed with Allow)
// instead of ServeMux's plain text. The tenant API and the operators'
// admin API share it, so both answer such requests alike.
package unmatched

import (
	"net/http"

	"github.com/hookrelay/hookrelay/shared/phrase"
)

// Error codes of the answers (in openapi.json's RouteNotFound and
// MethodNotAllowed responses).
const (
	codeRouteNotFound    = "route_not_found"
	codeMethodNotAllowed = "method_not_allowed"
)

// WriteError writes the caller's JSON error body.
type WriteError func(w http.ResponseWriter, status int, code, message string)

// Serve serves r with mux. When no pattern matches, it lets ServeMux
// decide between 404, 405 (with its Allow header) and a path-cleaning
// redirect, passes the redirect on, and answers the first two through
// writeError.
func Serve(mux *http.ServeMux, w http.ResponseWriter, r *http.Request, writeError WriteError) {
	h, pattern := mux.Handler(r)
	if pattern != "" {
		mux.ServeHTTP(w, r)
		return
	}
	probe := &headerProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	switch {
	case probe.status == http.StatusMethodNotAllowed:
		w.Header().Set("Allow", probe.header.Get("Allow"))
		// Go's server takes any token as a method, however long.
		writeError(w, http.StatusMethodNotAllowed, codeMethodNotAllowed, "method "+phrase.Clip(r.Method, phrase.QuoteMax, "…")+" is not allowed on this route")
	case probe.status >= 300 && probe.status < 400:
		w.Header().Set("Location", probe.header.Get("Location"))
		w.WriteHeader(probe.status)
	default:
		writeError(w, http.StatusNotFound, codeRouteNotFound, "no such route")
	}
}

// headerProbe captures what ServeMux's fallback handler would answer.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
func (p *headerProbe) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}
