package secrets

import "time"

// NewCachedAt is NewCached with a clock the test moves.
func NewCachedAt(store Store, ttl time.Duration, now func() time.Time) Store {
	c := NewCached(store, ttl).(*cached)
	c.now = now
	return c
}
