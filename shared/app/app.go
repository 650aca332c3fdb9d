// Package app holds what the three entry points' wiring shares. Each entry
// point has its own package (apiapp, fanoutapp, deliverapp) that builds its
// handler from the adapters it needs; the Lambdas and `hookrelay dev` both
// call them, so the same handler code and wiring run in AWS and locally.
// They are separate packages so that each Lambda binary links only its own
// dependencies (the deliver binary has a size budget).
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
)

// Require is the one check of required dependencies and settings, for
// every entry point's wiring: it names every missing one at once, so a
// misconfigured deployment fails at cold start with one clear message.
// A value is missing when it is nil (including a typed nil) or "".
func Require(entry string, things map[string]any) error {
	var missing []string
	for name, v := range things {
		if isZero(v) {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	errs := make([]error, len(missing))
	for i, name := range missing {
		errs[i] = fmt.Errorf("%s: %s is not set", entry, name)
	}
	return errors.Join(errs...)
}

func isZero(v any) bool {
	if v == nil {
		return true
	}
	if s, ok := v.(string); ok {
		return s == ""
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func:
		return rv.IsNil()
	}
	return false
}

// Logger returns l, or the default logger when l is nil.
func Logger(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.Default()
}
