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

func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, strictjson.ErrNotText):
		return fail(http.StatusBadRequest, codeInvalidJSON, "request body must be valid UTF-8 text: a string holds invalid UTF-8 or an unpaired surrogate escape")
	case errors.Is(err, io.EOF):
		return fail(http.StatusBadRequest, codeInvalidJSON, "request body must be a JSON object")
	case errors.Is(err, strictjson.ErrRepeatedKey):
		// Which of the two the client meant cannot be told.
		return fail(http.StatusBadRequest, codeInvalidJSON, "request body %s: give each key once", err)
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return fail(http.StatusBadRequest, codeInvalidJSON, "request body is not valid JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fail(http.StatusBadRequest, codeInvalidJSON, "request body must be a JSON object")
		}
		return fail(http.StatusBadRequest, codeInvalidJSON, "%s must be a %s", typ.Field, jsonKind(typ.Type.Kind().String()))
	}
	if msg, ok := strictjson.UnknownField(err); ok {
		return fail(http.StatusBadRequest, codeUnknownField, "%s", msg)
	}
	return fail(http.StatusBadRequest, codeInvalidJSON, "request body is not valid JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return "number"
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
