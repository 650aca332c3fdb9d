package delivery

import (
	"context"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// SecretStore returns a webhook's active signing secrets, newest first
// (secrets.Store).
type SecretStore interface {
	Active(ctx context.Context, orgID, webhookID string, now time.Time) ([]string, error)
}

const maxSecretCacheEntries = 10_000

// SecretCache keeps each webhook's secrets for the container's life, per
// secret version: the store is read once per webhook and version, so steady
// traffic makes no secret-store call at all, and a rotation (which bumps
// the version on the webhook item) is signed with from the first delivery
// that reads the webhook again, within the webhook cache's TTL. The list is
// the one active at the read, so the previous secret of a rotation keeps
// being offered after its grace until the container ends: an extra
// signature with a retired secret is harmless to receivers.
type SecretCache struct {
	store   SecretStore
	mu      sync.Mutex
	entries map[cacheKey]versionedSecrets
	loads   singleflight.Group
}

type versionedSecrets struct {
	version int
	secrets []string
}

// NewSecretCache wraps store.
func NewSecretCache(store SecretStore) *SecretCache {
	return &SecretCache{store: store, entries: map[cacheKey]versionedSecrets{}}
}

// Active returns the webhook's secrets at that version; concurrent misses
// share one read. Errors are not cached.
func (c *SecretCache) Active(ctx context.Context, orgID, webhookID string, version int, now time.Time) ([]string, error) {
	key := cacheKey{orgID, webhookID}
	if s, ok := c.cached(key, version); ok {
		return s, nil
	}
	v, err, _ := c.loads.Do(orgID+"\x00"+webhookID+"\x00"+strconv.Itoa(version), func() (any, error) {
		if s, ok := c.cached(key, version); ok {
			return s, nil
		}
		s, err := c.store.Active(ctx, orgID, webhookID, now)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if len(c.entries) >= maxSecretCacheEntries {
			clear(c.entries)
		}
		c.entries[key] = versionedSecrets{version: version, secrets: s}
		return s, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]string), nil
}

func (c *SecretCache) cached(key cacheKey, version int) ([]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e.secrets, ok && e.version == version
}
