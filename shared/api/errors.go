package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/hookrelay/hookrelay/shared/auth"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/strictjson"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// Error codes of the JSON error body. Clients switch on them; the OpenAPI
// document lists them per status (a test checks it names every one).
const (
	codeInvalidJSON       = "invalid_json"
	codeUnknownField      = "unknown_field"
	codeBodyTooLarge      = "body_too_large"
	codeInvalidName       = "invalid_name"
	codeInvalidURL        = "invalid_url"
	codeInvalidEventTypes = "invalid_event_types"
	codeUnknownEventType  = "unknown_event_type"
	codeReservedEventType = "reserved_event_type"
	codeInvalidEventName  = "invalid_event_name"
	codeInvalidEventData  = "invalid_event_data"
	codeInvalidEventID    = "invalid_event_id"
	codeInvalidLimit      = "invalid_limit"
	codeInvalidCursor     = "invalid_cursor"
	codeInvalidQuery      = "invalid_query"
	codeInvalidSince      = "invalid_since"
	codeLimitReached      = "limit_reached"
	codeNotSubscribed     = "not_subscribed"
	codeRotationConflict  = "rotation_conflict"
	codeRateLimited       = "rate_limited"
	codeUnauthorized      = "unauthorized"
	codeForbidden         = "forbidden"
	codeNotFound          = "not_found"
	codeRouteNotFound     = "route_not_found"
	codeInternal          = "internal_error"
)

// apiError is an error with its HTTP answer. Messages are written for the
// tenant: they name the offending field and never echo secrets or tokens.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func fail(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer`)
	}
	writeJSON(w, e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message}})
}

// writeErrorCode is writeError for shared code that names the answer's
// parts (unmatched.Serve).
func writeErrorCode(w http.ResponseWriter, status int, code, message string) {
	writeError(w, &apiError{Status: status, Code: code, Message: message})
}

// toAPIError maps domain errors to answers; anything unknown is a 500 whose
// cause goes to the log, not to the client.
func (s *server) toAPIError(r *http.Request, err error) *apiError {
	var ae *apiError
	var tooBig *http.MaxBytesError
	var unsubscribed *webhook.NotSubscribedError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &tooBig):
		return fail(http.StatusRequestEntityTooLarge, codeBodyTooLarge, "%s", strictjson.Message(err))
	case errors.Is(err, auth.ErrUnauthenticated):
		return fail(http.StatusUnauthorized, codeUnauthorized, "%s", err.Error())
	case errors.Is(err, webhook.ErrNotFound), errors.Is(err, secrets.ErrNotFound):
		return errWebhookNotFound
	case errors.Is(err, deliverylog.ErrNotFound):
		// A tenant who sees the delivery in the portal's log may still get
		// this for an old one: say how far a resend reaches.
		return fail(http.StatusNotFound, codeNotFound,
			"delivery not found: a resend finds a delivery by its retry record, or by its attempt log entry among the webhook's newest 4 MB of log")
	case errors.As(err, &unsubscribed):
		return fail(http.StatusConflict, codeNotSubscribed,
			"the webhook does not subscribe to %s: add it to event_types (or set all_events) to resend this delivery", unsubscribed.EventName)
	case errors.Is(err, secrets.ErrConflict):
		return fail(http.StatusConflict, codeRotationConflict,
			"the webhook's signing secret kept changing under other requests during this rotation, which did not happen: rotate again")
	case errors.Is(err, webhook.ErrLimitReached):
		return fail(http.StatusConflict, codeLimitReached, "organization already has the maximum of %d webhooks", s.d.Config.MaxWebhooks)
	case errors.Is(err, webhook.ErrInvalidCursor):
		return fail(http.StatusBadRequest, codeInvalidCursor, "cursor is invalid")
	}
	level, msg := slog.LevelError, "request failed"
	if callerGone(r, err) {
		level, msg = slog.LevelInfo, "request canceled"
	}
	s.d.Logger.LogAttrs(r.Context(), level, msg,
		slog.String("method", r.Method), slog.String("route", r.Pattern), slog.String("error", err.Error()))
	return fail(http.StatusInternalServerError, codeInternal, "internal error")
}

// callerGone reports whether err is only the request's own cancellation:
// the caller hung up (make dev's server cancels the request's context
// then, and a browser leaving a portal page cancels its in-process calls;
// Lambda never cancels an invocation's). That is no failure of the
// service, so it is not logged as an error for an operator to chase.
func callerGone(r *http.Request, err error) bool {
	return errors.Is(err, context.Canceled) && errors.Is(r.Context().Err(), context.Canceled)
}

var errWebhookNotFound = fail(http.StatusNotFound, codeNotFound, "webhook not found")
