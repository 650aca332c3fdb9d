package envelope

import (
	"context"
	"sync"

	"golang.org/x/sync/singleflight"
)

// maxCachedKeys bounds the cache (32 bytes a key plus its ciphertext);
// past it the cache starts over, as the delivery secret cache does.
const maxCachedKeys = 10_000

// keyCache keeps decrypted data keys for the container's life, so a
// webhook's secrets open without KMS after its first read: a rotation
// reseals under the same data key. The cache key is the encrypted data key
// with the webhook it belongs to, so a key copied onto another webhook's
// item still goes to KMS, whose encryption context refuses it.
type keyCache struct {
	kms   KeyService
	mu    sync.Mutex
	keys  map[string][]byte
	loads singleflight.Group
}

func newKeyCache(kms KeyService) *keyCache {
	return &keyCache{kms: kms, keys: map[string][]byte{}}
}

func cacheKey(orgID, webhookID string, encrypted []byte) string {
	return orgID + "\x00" + webhookID + "\x00" + string(encrypted)
}

// remember caches a key the caller already holds in plaintext (a fresh one
// from GenerateDataKey).
func (c *keyCache) remember(orgID, webhookID string, encrypted, plaintext []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= maxCachedKeys {
		clear(c.keys)
	}
	c.keys[cacheKey(orgID, webhookID, encrypted)] = plaintext
}

// plaintext returns the data key, asking KMS only on a miss; concurrent
// misses for one key share a call. Errors are not cached.
func (c *keyCache) plaintext(ctx context.Context, orgID, webhookID string, encrypted []byte) ([]byte, error) {
	k := cacheKey(orgID, webhookID, encrypted)
	if key, ok := c.lookup(k); ok {
		return key, nil
	}
	v, err, _ := c.loads.Do(k, func() (any, error) {
		if key, ok := c.lookup(k); ok {
			return key, nil
		}
		key, err := c.kms.Decrypt(ctx, orgID, webhookID, encrypted)
		if err != nil {
			return nil, err
		}
		c.remember(orgID, webhookID, encrypted, key)
		return key, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

func (c *keyCache) lookup(k string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key, ok := c.keys[k]
	return key, ok
}
