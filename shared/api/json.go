package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/strictjson"
)

// Request body limits.
const (
	maxWebhookBody = 64 << 10
	// maxEventBody bounds reading a publish request; the exact check is
	// message.CheckData on the data (compact), which the pipeline carries.
	maxEventBody = message.MessageMax + 8<<10
)

// decodeJSON reads exactly one JSON object with no unknown fields, whose
// text is valid UTF-8 (see strictjson).
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	return bodyError(strictjson.Decode(w, r, limit, dst))
}

// bodyError gives Decode's error its answer: 413 for a body over the
// limit (toAPIError), else 400 worded by strictjson.Message.
func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case err == nil, errors.As(err, &tooBig):
		return err
	}
	code := codeInvalidJSON
	if _, ok := strictjson.UnknownField(err); ok {
		code = codeUnknownField
	}
	return fail(http.StatusBadRequest, code, "%s", strictjson.Message(err))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a programming error (an unencodable type) lands here.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":{"code":"internal_error","message":"internal error"}}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
