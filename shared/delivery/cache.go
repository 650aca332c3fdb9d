package delivery

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hookrelay/hookrelay/shared/webhook"
)

// DefaultWebhookCacheTTL bounds how long an update made through the API
// (new URL, disabled) goes unseen by a warm delivery Lambda.
const DefaultWebhookCacheTTL = 10 * time.Second

const maxWebhookCacheEntries = 10_000

// WebhookCache memoizes Get for a short TTL: a burst of events for one
// webhook costs one read per TTL instead of one per message, and the
// concurrent misses of a batch share one read. Errors,
// including not found, are not cached, so a deletion is seen at once once
// the entry expires and a transient error is retried by the next message.
type WebhookCache struct {
	next WebhookGetter
	ttl  time.Duration
	// Now is the clock (tests pin it).
	Now     func() time.Time
	mu      sync.Mutex
	entries map[cacheKey]cachedWebhook
	loads   singleflight.Group
}

// cacheKey is the pair itself: no key string built per lookup.
type cacheKey struct{ orgID, id string }

type cachedWebhook struct {
	w       webhook.Webhook
	expires time.Time
}

// NewWebhookCache wraps next.
func NewWebhookCache(next WebhookGetter, ttl time.Duration) *WebhookCache {
	return &WebhookCache{next: next, ttl: ttl, Now: time.Now, entries: map[cacheKey]cachedWebhook{}}
}

// Get returns the cached webhook or loads it; concurrent misses for one
// webhook (the messages of a batch) wait for a single load.
func (c *WebhookCache) Get(ctx context.Context, orgID, id string) (webhook.Webhook, error) {
	key := cacheKey{orgID, id}
	now := c.Now()
	if w, ok := c.cached(key, now); ok {
		return w, nil
	}
	v, err, _ := c.loads.Do(orgID+"\x00"+id, func() (any, error) { return c.load(ctx, key, now) })
	if err != nil {
		return webhook.Webhook{}, err
	}
	return v.(webhook.Webhook), nil
}

func (c *WebhookCache) cached(key cacheKey, now time.Time) (webhook.Webhook, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e.w, ok && now.Before(e.expires)
}

// load reads the webhook unless a load that finished since the caller's
// miss has cached it: then no miss ever causes a second read.
func (c *WebhookCache) load(ctx context.Context, key cacheKey, now time.Time) (webhook.Webhook, error) {
	if w, ok := c.cached(key, now); ok {
		return w, nil
	}
	orgID, id := key.orgID, key.id
	w, err := c.next.Get(ctx, orgID, id)
	if err != nil {
		c.Forget(orgID, id)
		return webhook.Webhook{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(key, w, now)
	return w, nil
}

// Remember caches w, read just now by the caller (a consistent read), so
// the next delivery to it reads nothing.
func (c *WebhookCache) Remember(w webhook.Webhook) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(cacheKey{w.OrgID, w.ID}, w, c.Now())
}

// put stores an entry; c.mu is held.
func (c *WebhookCache) put(key cacheKey, w webhook.Webhook, now time.Time) {
	if len(c.entries) >= maxWebhookCacheEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxWebhookCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[key] = cachedWebhook{w: w, expires: now.Add(c.ttl)}
}

// Forget drops an entry (the handler calls it after removing a webhook).
func (c *WebhookCache) Forget(orgID, id string) {
	c.mu.Lock()
	delete(c.entries, cacheKey{orgID, id})
	c.mu.Unlock()
}
