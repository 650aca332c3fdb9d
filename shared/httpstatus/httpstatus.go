// Package httpstatus records the status a handler answered with, for the
// access logs of the API and the portal.
package httpstatus

import "net/http"

// Writer remembers the status written through it (0 until the header goes
// out; a write without WriteHeader is 200), so a log line can name it and a
// panic handler can tell whether a clean error answer is still possible.
type Writer struct {
	http.ResponseWriter
	Status int
}

// WriteHeader implements http.ResponseWriter.
func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
