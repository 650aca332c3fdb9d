package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
)

// ctxReader collects every malformed value instead of stopping at the first.
type ctxReader struct {
	lookup func(string) interface{}
	errs   []error
}

// get normalizes a context value: `-c k=v` gives strings, cdk.json may give
// numbers, booleans or lists (lists are joined with commas). A key given
// empty is set to "": Validate refuses it where a value is required, and
// it means "none" where none is allowed (alarmEmail, the portal's logo).
func (r *ctxReader) get(key string) (string, bool) {
	var s string
	switch v := r.lookup(key).(type) {
	case nil:
		return "", false
	case string:
		s = v
	case float64:
		s = strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(v)
	case []interface{}:
		parts := make([]string, 0, len(v))
		for _, p := range v {
			parts = append(parts, fmt.Sprint(p))
		}
		s = strings.Join(parts, ",")
	default:
		r.errs = append(r.errs, fmt.Errorf("context %q: unsupported value %v", key, v))
		return "", false
	}
	return strings.TrimSpace(s), true
}

func (r *ctxReader) check(key, v string, err error) {
	if err != nil {
		r.errs = append(r.errs, fmt.Errorf("context %q=%q: %w", key, v, err))
	}
}

func (r *ctxReader) str(key string, dst *string) {
	if v, ok := r.get(key); ok {
		*dst = v
	}
}

// list reads a comma-separated value the way the functions read theirs.
func (r *ctxReader) list(key string, dst *[]string) {
	if v, ok := r.get(key); ok {
		*dst = config.SplitList(v)
	}
}

func (r *ctxReader) duration(key string, dst *time.Duration) {
	if v, ok := r.get(key); ok {
		d, err := time.ParseDuration(v)
		r.check(key, v, err)
		if err == nil {
			*dst = d
		}
	}
}

func (r *ctxReader) integer(key string, dst *int) {
	if v, ok := r.get(key); ok {
		n, err := strconv.Atoi(v)
		r.check(key, v, err)
		if err == nil {
			*dst = n
		}
	}
}
