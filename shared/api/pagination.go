package api

import (
	"net/http"
	"strconv"
)

const (
	defaultPageSize = 20
	maxPageSize     = 100
	maxCursorLength = 2048
)

// pageParams reads ?limit= and ?cursor=. The cursor stays opaque here: the
// store that made it decides whether it is valid.
func pageParams(r *http.Request) (int, string, error) {
	q := r.URL.Query()
	limit := defaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return 0, "", fail(http.StatusBadRequest, codeInvalidLimit, "limit must be an integer from 1 to %d", maxPageSize)
		}
		limit = n
	}
	cursor := q.Get("cursor")
	if len(cursor) > maxCursorLength {
		return 0, "", fail(http.StatusBadRequest, codeInvalidCursor, "cursor is invalid")
	}
	return limit, cursor, nil
}
