package secrets

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultCacheTTL is how long the delivery Lambda reuses a webhook's
// secrets. It bounds how late a rotation made by another instance (the API
// Lambda) is seen, so the rotation grace period must be much longer.
const DefaultCacheTTL = 60 * time.Second

// maxCacheEntries bounds memory in a long-lived Lambda instance that sees
// many webhooks; past it, expired entries are swept.
const maxCacheEntries = 10_000

// cached memoizes Active per webhook for ttl, so a batch of deliveries
// costs one Secrets Manager call per webhook instead of one per message.
// Concurrent misses for one webhook share a single lookup. Errors are not
// cached: a webhook created a moment ago must be found on the next call.
//
// The entry holds the list computed at lookup time, so a previous secret
// may keep being offered up to ttl after its grace ends; an extra
// signature with a retired secret is harmless to receivers.
type cached struct {
	store   Store
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*cacheEntry
}

type cacheEntry struct {
	ready   chan struct{} // closed when the lookup below has finished
	secrets []string
	err     error
	expires time.Time
}

// NewCached wraps store with an Active cache; ttl <= 0 disables it.
// Rotate and ScheduleDeletion made through the wrapper drop the entry at
// once; changes made elsewhere are seen after ttl.
func NewCached(store Store, ttl time.Duration) Store {
	if ttl <= 0 {
		return store
	}
	return &cached{store: store, ttl: ttl, now: time.Now, entries: map[string]*cacheEntry{}}
}

func (c *cached) Create(ctx context.Context, orgID, webhookID, secret string) error {
	defer c.invalidate(orgID, webhookID)
	return c.store.Create(ctx, orgID, webhookID, secret)
}

func (c *cached) Rotate(ctx context.Context, orgID, webhookID, newSecret string, grace time.Duration) error {
	defer c.invalidate(orgID, webhookID)
	return c.store.Rotate(ctx, orgID, webhookID, newSecret, grace)
}

func (c *cached) ScheduleDeletion(ctx context.Context, orgID, webhookID string) error {
	defer c.invalidate(orgID, webhookID)
	return c.store.ScheduleDeletion(ctx, orgID, webhookID)
}

func (c *cached) Active(ctx context.Context, orgID, webhookID string, now time.Time) ([]string, error) {
	key := cacheKey(orgID, webhookID)
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && !c.stale(e) {
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return slices.Clone(e.secrets), e.err
	}
	e := &cacheEntry{ready: make(chan struct{})}
	c.entries[key] = e
	c.sweep()
	c.mu.Unlock()

	// The result is written to e, not to the map: if an invalidation ran
	// meanwhile, e is no longer reachable by later callers and a value
	// fetched before a rotation is never served after it.
	e.secrets, e.err = c.store.Active(ctx, orgID, webhookID, now)
	e.expires = c.now().Add(c.ttl)
	close(e.ready)
	if e.err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
	}
	return slices.Clone(e.secrets), e.err
}

// stale reports a finished entry that failed or is past its expiry.
// In-flight entries are fresh: callers wait for them. Callers hold c.mu.
func (c *cached) stale(e *cacheEntry) bool {
	select {
	case <-e.ready:
		return e.err != nil || !c.now().Before(e.expires)
	default:
		return false
	}
}

// sweep drops stale entries once the map grows past its bound.
// Callers hold c.mu.
func (c *cached) sweep() {
	if len(c.entries) <= maxCacheEntries {
		return
	}
	for k, e := range c.entries {
		if c.stale(e) {
			delete(c.entries, k)
		}
	}
}

func (c *cached) invalidate(orgID, webhookID string) {
	c.mu.Lock()
	delete(c.entries, cacheKey(orgID, webhookID))
	c.mu.Unlock()
}

// cacheKey names one webhook's entry; ids never contain "/" (CheckIDs).
func cacheKey(orgID, webhookID string) string { return orgID + "/" + webhookID }
