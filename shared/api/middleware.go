package api

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/hookrelay/hookrelay/shared/httpstatus"
	"github.com/hookrelay/hookrelay/shared/unmatched"
)

type requestInfoKey struct{}

// requestInfo collects what the access log line needs from inner handlers.
type requestInfo struct{ orgID string }

// ServeHTTP logs one line per request (never bodies or headers: they carry
// tokens and secrets), recovers panics, and answers unmatched routes in
// JSON instead of ServeMux's plain text.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &httpstatus.Writer{ResponseWriter: w}
	info := &requestInfo{}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
	defer func() {
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", route),
			slog.Int("status", sw.Status), slog.Int64("latency_ms", time.Since(start).Milliseconds()),
		}
		if info.orgID != "" {
			attrs = append(attrs, slog.String("org_id", info.orgID))
		}
		s.d.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	}()
	defer s.recoverPanic(sw, r)

	unmatched.Serve(s.mux, sw, r, writeErrorCode)
}

func (s *server) recoverPanic(w *httpstatus.Writer, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	// The panic value may hold request data; the stack holds only code
	// locations, which is what debugging needs.
	s.d.Logger.LogAttrs(r.Context(), slog.LevelError, "panic in handler",
		slog.String("route", r.Pattern), slog.String("stack", string(debug.Stack())))
	if w.Status == 0 {
		writeError(w, fail(http.StatusInternalServerError, codeInternal, "internal error"))
	}
}
