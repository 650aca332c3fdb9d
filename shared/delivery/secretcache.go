package delivery

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hookrelay/hookrelay/shared/secrets"
)

// SecretStore returns a webhook's signing secrets with the end of a
// rotation's grace (secrets.Store).
type SecretStore interface {
	Record(ctx context.Context, orgID, webhookID string) (secrets.Record, error)
}

const maxSecretCacheEntries = 10_000

// SecretCache keeps each webhook's secrets for the container's life, per
// secret version: the store is read once per webhook and version, so steady
// traffic makes no secret-store call at all, and a rotation (which bumps
// the version on the webhook item) is signed with from the first delivery
// that reads the webhook again, within the webhook cache's TTL. It keeps
// the whole record and picks the active secrets at each signing, so the
// previous secret of a rotation stops signing when its grace ends.
//
// A record read for a version is cached only if it is that rotation's or
// a later one's: its grace end is not before the one the webhook item
// records for its last rotation (BumpSecretVersion). A read that returned
// the record before the rotation (a store read that does not yet see its
// write) signs that one delivery but is not cached, so the next delivery
// reads again rather than signing with the old secret alone until the
// next rotation. The stored records need no change: every rotation's
// record ends its grace no earlier than the grace end the API counts with
// it, and one that restores a record counts that record's grace end.
type SecretCache struct {
	store   SecretStore
	mu      sync.Mutex
	entries map[cacheKey]versionedSecrets
	loads   singleflight.Group
}

type versionedSecrets struct {
	version int
	record  secrets.Record
}

// NewSecretCache wraps store.
func NewSecretCache(store SecretStore) *SecretCache {
	return &SecretCache{store: store, entries: map[cacheKey]versionedSecrets{}}
}

// Active returns the webhook's secrets at that version that sign at now,
// newest first; concurrent misses share one read. graceEnd is the webhook
// item's end of the last rotation's grace (zero if never rotated). Errors,
// and records older than graceEnd, are not cached. That narrows a stale
// read after a rotation without closing it: grace ends are whole seconds,
// so a stale record of a rotation in the same second as the item's last,
// or one read before an undo put an earlier record back, still passes,
// and is cached until the next rotation.
func (c *SecretCache) Active(ctx context.Context, orgID, webhookID string, version int, graceEnd, now time.Time) ([]string, error) {
	key := cacheKey{orgID, webhookID}
	if r, ok := c.cached(key, version); ok {
		return r.Active(now), nil
	}
	v, err, _ := c.loads.Do(orgID+"\x00"+webhookID+"\x00"+strconv.Itoa(version), func() (any, error) {
		if r, ok := c.cached(key, version); ok {
			return r, nil
		}
		r, err := c.store.Record(ctx, orgID, webhookID)
		if err != nil {
			return nil, err
		}
		if r.PreviousExpiresAt.Before(graceEnd) { // from before the item's last rotation
			return r, nil
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.entries) >= maxSecretCacheEntries {
			clear(c.entries)
		}
		c.entries[key] = versionedSecrets{version: version, record: r}
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(secrets.Record).Active(now), nil
}

func (c *SecretCache) cached(key cacheKey, version int) (secrets.Record, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e.record, ok && e.version == version
}
