package secrets

import "time"

// LocalFile is the Local store's file name inside its directory.
const LocalFile = localFile

// SetPath points the store at another file (to make its writes fail).
func (l *Local) SetPath(path string) { l.path = path }

// NewCachedAt is NewCached with a clock the test moves.
func NewCachedAt(store Store, ttl time.Duration, now func() time.Time) Store {
	c := NewCached(store, ttl).(*cached)
	c.now = now
	return c
}
