package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/hookrelay/hookrelay/verify"
)

// Signing runs for every attempt with the same few secrets, so keyed
// HMAC-SHA256 states are reused instead of built per signature:
// hmac.New allocates two SHA-256 states and pads, and its Reset restores
// the precomputed ipad/opad states (FIPS 198-1 §6) instead of hashing
// the padded key again. The states are as sensitive as the secrets they
// are keyed with; they live only in this process's memory, like the
// secrets cache they come from.

// maxCachedSecrets bounds the cache; past it the cache starts over (a
// Lambda serves a bounded set of webhooks between cold starts).
const maxCachedSecrets = 1024

// keyedMAC is one reusable HMAC state and its scratch space.
type keyedMAC struct {
	h       hash.Hash
	pool    *sync.Pool
	scratch []byte // "<msgID>.<t>." prefix, or SignatureHex's output
	digest  [sha256.Size]byte
}

// sum returns HMAC(key, "[<msgID>.]<t>.<body>"). The result aliases m and
// is valid until m is released.
func (m *keyedMAC) sum(msgID string, t int64, body []byte) []byte {
	m.h.Reset()
	p := m.scratch[:0]
	if msgID != "" {
		p = append(p, msgID...)
		p = append(p, '.')
	}
	p = strconv.AppendInt(p, t, 10)
	p = append(p, '.')
	m.scratch = p[:0] // keep a grown buffer for next time
	m.h.Write(p)
	m.h.Write(body)
	return m.h.Sum(m.digest[:0])
}

func (m *keyedMAC) release() { m.pool.Put(m) }

// macCache maps a secret to a pool of HMAC states keyed with it: the
// secret string itself (hex family) or its StandardKey (Standard Webhooks).
type macCache struct {
	standard bool
	pools    sync.Map // secret → *sync.Pool of *keyedMAC
	n        atomic.Int64
}

var (
	hexMACs = &macCache{}
	stdMACs = &macCache{standard: true}
)

// get returns a state keyed with secret (hex family; cannot fail).
func (c *macCache) get(secret string) *keyedMAC {
	m, _ := c.getStandard(secret)
	return m
}

// getStandard returns a state for secret; for the Standard Webhooks cache
// it fails with verify.ErrBadSecret when the secret does not decode (never cached).
func (c *macCache) getStandard(secret string) (*keyedMAC, error) {
	if p, ok := c.pools.Load(secret); ok {
		return p.(*sync.Pool).Get().(*keyedMAC), nil
	}
	key := []byte(secret)
	if c.standard {
		var err error
		if key, err = verify.StandardKey(secret); err != nil {
			return nil, err
		}
	}
	p := &sync.Pool{}
	p.New = func() any {
		return &keyedMAC{h: hmac.New(sha256.New, key), pool: p, scratch: make([]byte, 0, 128)}
	}
	if c.n.Load() >= maxCachedSecrets {
		c.pools.Clear()
		c.n.Store(0)
	}
	if q, loaded := c.pools.LoadOrStore(secret, p); loaded {
		p = q.(*sync.Pool)
	} else {
		c.n.Add(1)
	}
	return p.Get().(*keyedMAC), nil
}
