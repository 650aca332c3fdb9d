package api

import (
	"net/http"
	"strings"
)

// StripStage serves a named API Gateway stage's requests as if at the
// root. An HTTP API passes a named stage in the path ("/prod/api/v1/...")
// but routes without it; the $default stage, and `make dev`, pass the
// path as it is.
func StripStage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stage := NamedStage(r)
		if stage == "" {
			next.ServeHTTP(w, r)
			return
		}
		prefix := "/" + stage
		rest, found := strings.CutPrefix(r.URL.Path, prefix)
		if !found || (rest != "" && !strings.HasPrefix(rest, "/")) {
			next.ServeHTTP(w, r) // "/production/..." is not under "/prod"
			return
		}
		if rest == "" {
			rest = "/"
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = rest
		r2.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, prefix)
		next.ServeHTTP(w, r2)
	})
}
