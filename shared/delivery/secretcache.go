package delivery

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
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
// A record read for a version is cached only if it is the one the webhook
// item counts: the record whose rotation id (secrets.Record.Rotation) the
// item names, written by its last rotation or by the undo of a failed one
// (BumpSecretVersion records both). Any other record a read returns (the
// one before the rotation, when a store read does not yet see its write;
// a rotation in the same second; the failed rotation an undo replaced)
// signs that one delivery but is not cached, so the next delivery reads
// again rather than signing with it until the next rotation. An item
// counted before rotations had ids names none: then a record is cached
// unless its grace ends before the item's (it is from before the item's
// last rotation), which catches a stale read in any other second.
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

// Active returns w's secrets at its secret version that sign at now,
// newest first; concurrent misses share one read. Errors, and records
// other than the one w counts (counts), are not cached.
func (c *SecretCache) Active(ctx context.Context, w webhook.Webhook, now time.Time) ([]string, error) {
	orgID, webhookID, version := w.OrgID, w.ID, w.SecretVersion
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
		if !counts(w, r) {
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

// counts reports whether r is the record w counts: the one its last
// rotation id names, or, when w or r has no id (written before rotations
// had ids, or by such an api still running during a deploy or a
// rollback), one whose grace ends no earlier than w's last rotation's.
// Requiring an id r cannot have would read the store at every delivery
// of that webhook until its next rotation.
func counts(w webhook.Webhook, r secrets.Record) bool {
	if w.SecretRotation != "" && r.Rotation != "" {
		return r.Rotation == w.SecretRotation
	}
	return !r.PreviousExpiresAt.Before(w.PreviousSecretExpiresAt)
}
