package dlq

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/hookrelay/hookrelay/shared/phrase"
	"github.com/hookrelay/hookrelay/shared/strictjson"
	"github.com/hookrelay/hookrelay/shared/unmatched"
)

// Admin routes. The handler matches these full paths: mount it under
// /api/v1/admin/ without stripping the prefix.
const (
	RouteList    = "GET /api/v1/admin/dlq"
	RouteShow    = "GET /api/v1/admin/dlq/{id}"
	RouteRedrive = "POST /api/v1/admin/dlq/redrive"
	RoutePurge   = "POST /api/v1/admin/dlq/purge"
)

// AdminRoutes lists every route the admin handler serves (the API's
// OpenAPI test checks the document against it).
var AdminRoutes = []string{RouteList, RouteShow, RouteRedrive, RoutePurge}

// Error codes of the admin API's JSON error body; the API's OpenAPI
// document lists them per status (a test there checks it names every one).
const (
	codeInvalidJSON          = "invalid_json"
	codeUnknownField         = "unknown_field"
	codeInvalidPage          = "invalid_page"
	codeInvalidFilter        = "invalid_filter"
	codeSelectionRequired    = "selection_required"
	codeConfirmationRequired = "confirmation_required"
	codeNotFound             = "not_found"
	codeDLQBusy              = "dlq_busy"
	codeDLQTooLarge          = "dlq_too_large"
	codeQueueError           = "queue_error"
)

// maxBody bounds admin request bodies; a selection is a few ids at most.
const maxBody = 1 << 20

// NewAdminHandler serves the DLQ operations as JSON, unmatched requests
// included (404 route_not_found, 405 method_not_allowed).
//
// It does no authentication or authorization: the API that mounts it must
// admit operators only (the operator claim, config OperatorClaim /
// OperatorValue) and answer tenant tokens with 403 before calling it.
func NewAdminHandler(ops *Ops) http.Handler {
	h := adminHandler{ops: ops}
	mux := http.NewServeMux()
	for route, handle := range map[string]http.HandlerFunc{
		RouteList: h.list, RouteShow: h.show, RouteRedrive: h.redrive, RoutePurge: h.purge,
	} {
		mux.HandleFunc(route, handle)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		unmatched.Serve(mux, w, r, writeError)
	})
}

type adminHandler struct{ ops *Ops }

type listResponse struct {
	Entries    []Entry `json:"entries"`
	Count      int     `json:"count"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

type redriveRequest struct {
	FilterSpec
	All    bool `json:"all"`
	DryRun bool `json:"dry_run"`
}

type purgeRequest struct {
	FilterSpec
	All     bool `json:"all"`
	Confirm bool `json:"confirm"`
}

type purgeResponse struct {
	Purged int `json:"purged"`
}

func (h adminHandler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, cursor, err := pageFromQuery(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidPage, err.Error())
		return
	}
	spec, err := specFromQuery(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidFilter, err.Error())
		return
	}
	f, err := spec.Filter(h.ops.Now())
	if err != nil {
		writeFilterError(w, err)
		return
	}
	page, err := h.ops.List(r.Context(), f, limit, cursor)
	switch {
	case errors.Is(err, ErrInvalidPage):
		writeError(w, http.StatusBadRequest, codeInvalidPage, err.Error())
		return
	case errors.Is(err, ErrTooLarge):
		writeError(w, http.StatusUnprocessableEntity, codeDLQTooLarge, err.Error())
		return
	case err != nil:
		writeQueueError(w, err)
		return
	}
	if page.Entries == nil {
		page.Entries = []Entry{} // a JSON array, never null
	}
	writeJSON(w, http.StatusOK, listResponse{Entries: page.Entries, Count: len(page.Entries), NextCursor: page.NextCursor})
}

// pageFromQuery takes limit (default DefaultPageLimit) and cursor out of q.
// An empty limit= or cursor= is absent, as on the tenant API's lists.
func pageFromQuery(q url.Values) (int, string, error) {
	limit := DefaultPageLimit
	if v := lastValue(q, "limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageLimit {
			return 0, "", fmt.Errorf("limit must be a whole number from 1 to %d", MaxPageLimit)
		}
		limit = n
	}
	cursor := lastValue(q, "cursor")
	q.Del("limit")
	q.Del("cursor")
	return limit, cursor, nil
}

// lastValue is the last value of key in q ("" when absent), as the
// filters read a repeated parameter.
func lastValue(q url.Values, key string) string {
	if vs := q[key]; len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

func (h adminHandler) show(w http.ResponseWriter, r *http.Request) {
	e, err := h.ops.Show(r.Context(), r.PathValue("id"))
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, codeNotFound, "no dead letter "+phrase.Quote(r.PathValue("id"))+" in the DLQ")
		return
	}
	if err != nil {
		writeQueueError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (h adminHandler) redrive(w http.ResponseWriter, r *http.Request) {
	var req redriveRequest
	if !readJSON(w, r, &req) {
		return
	}
	f, err := Select(req.FilterSpec, req.All, h.ops.Now())
	if err != nil {
		writeFilterError(w, err)
		return
	}
	res, err := h.ops.Redrive(r.Context(), f, req.DryRun, nil)
	if err != nil {
		writeQueueError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func (h adminHandler) purge(w http.ResponseWriter, r *http.Request) {
	var req purgeRequest
	if !readJSON(w, r, &req) {
		return
	}
	if !req.Confirm {
		writeError(w, http.StatusBadRequest, codeConfirmationRequired, `purge deletes dead letters for good: send "confirm": true`)
		return
	}
	f, err := Select(req.FilterSpec, req.All, h.ops.Now())
	if err != nil {
		writeFilterError(w, err)
		return
	}
	res, err := h.ops.Purge(r.Context(), f)
	if err != nil {
		writeQueueError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, purgeResponse{Purged: res.Purged})
}

// specFromQuery reads filters from query parameters; an unknown parameter
// is an error, because a misspelt filter would silently select more.
func specFromQuery(q url.Values) (FilterSpec, error) {
	var s FilterSpec
	for k, vs := range q {
		v := vs[len(vs)-1]
		switch k {
		case "organization_id":
			s.OrgID = v
		case "webhook_id":
			s.WebhookID = v
		case "reason":
			s.Reason = v
		case "tier":
			s.Tier = v
		case "since":
			s.Since = v
		case "id":
			s.IDs = vs
		default:
			return FilterSpec{}, fmt.Errorf("unknown query parameter %s", phrase.Quote(k))
		}
	}
	return s, nil
}

// readJSON decodes a body strictly: unknown fields are refused for the same
// reason as unknown query parameters, and text that is not valid UTF-8 too.
func readJSON(w http.ResponseWriter, r *http.Request, dst any) bool {
	if err := strictjson.Decode(w, r, maxBody, dst); err != nil {
		// A body over maxBody is invalid_json too (openapi AdminBadRequest).
		code := codeInvalidJSON
		if _, ok := strictjson.UnknownField(err); ok {
			code = codeUnknownField
		}
		writeError(w, http.StatusBadRequest, code, strictjson.Message(err))
		return false
	}
	return true
}

func writeFilterError(w http.ResponseWriter, err error) {
	code := codeInvalidFilter
	if errors.Is(err, ErrNoSelection) {
		code = codeSelectionRequired
	}
	writeError(w, http.StatusBadRequest, code, err.Error())
}

func writeQueueError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrBusy) {
		w.Header().Set("Retry-After", strconv.Itoa(int(ScanLockTTL.Seconds())))
		writeError(w, http.StatusConflict, codeDLQBusy, err.Error())
		return
	}
	writeError(w, http.StatusBadGateway, codeQueueError, err.Error())
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, msg
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
