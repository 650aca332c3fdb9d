package dlq

import (
	"errors"
	"fmt"
	"time"
)

// ErrNoSelection refuses a destructive action with nothing selected: an
// empty filter means "everything", which must be asked for explicitly.
var ErrNoSelection = errors.New("select what to act on: ids, a filter, or all")

// Select turns an operator's selection into a Filter for redrive and purge:
// either all, or ids and/or filters, never neither and never both.
func Select(spec FilterSpec, all bool, now time.Time) (Filter, error) {
	f, err := spec.Filter(now)
	if err != nil {
		return Filter{}, err
	}
	switch {
	case all && !f.Empty():
		return Filter{}, fmt.Errorf("%w: \"all\" cannot be combined with ids or filters", ErrInvalidFilter)
	case !all && f.Empty():
		return Filter{}, ErrNoSelection
	}
	return f, nil
}
