package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/hookrelay/hookrelay/shared/message"
)

// Request body limits.
const (
	maxWebhookBody = 64 << 10
	// maxEventBody bounds reading a publish request; the exact check is
	// message.CheckData on the data (compact), which the pipeline carries.
	maxEventBody = message.MessageMax + 8<<10
)

// decodeJSON reads exactly one JSON object with no unknown fields.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		// Trailing data ("{}{}" or "{} x") is malformed, and reading to
		// EOF also enforces the size limit on what follows.
		if err = dec.Decode(&struct{}{}); err == io.EOF {
			return nil
		} else if err == nil {
			err = errors.New("trailing data after the JSON object")
		}
	}
	return bodyError(err)
}

func bodyError(err error) error {
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, io.EOF):
		return fail(http.StatusBadRequest, codeInvalidJSON, "request body must be a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return fail(http.StatusBadRequest, codeInvalidJSON, "request body is not valid JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fail(http.StatusBadRequest, codeInvalidJSON, "request body must be a JSON object")
		}
		return fail(http.StatusBadRequest, codeInvalidJSON, "%s must be a %s", typ.Field, jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this one.
		return fail(http.StatusBadRequest, codeUnknownField, "%s", strings.TrimPrefix(err.Error(), "json: "))
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
