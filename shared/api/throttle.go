package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// API Gateway HTTP APIs throttle per stage and route, never per client, so
// one organization could take the whole stage limit. orgLimiter gives each
// organization a token bucket of its own in this process: on AWS that is
// one api container, so the limit an organization meets is approximate
// (each warm container grants it the rate), but one tenant's burst is
// refused by the containers it lands on instead of the stage refusing
// everyone.
type orgLimiter struct {
	perSecond int // 0: no limit
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
}

// maxBuckets bounds the limiter's memory; forgetting a bucket only hands
// that organization a fresh burst.
const maxBuckets = 10000

func newOrgLimiter(perSecond int) *orgLimiter {
	return &orgLimiter{perSecond: perSecond, buckets: map[string]*rate.Limiter{}}
}

// wait is how long org must wait before its next request is served at
// now: 0 to serve it now (and the request takes a token).
func (l *orgLimiter) wait(org string, now time.Time) time.Duration {
	if l.perSecond <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.bucket(org).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused request takes no token
		return d
	}
	return 0
}

// charge takes a token from org at now even when its bucket is empty: the
// debt delays org's next requests until the rate has paid it back.
func (l *orgLimiter) charge(org string, now time.Time) {
	if l.perSecond <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(org).ReserveN(now, 1)
}

// bucket is org's token bucket (made full on first use); l.mu is held.
func (l *orgLimiter) bucket(org string) *rate.Limiter {
	b := l.buckets[org]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.buckets = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(rate.Limit(l.perSecond), 2*l.perSecond)
		l.buckets[org] = b
	}
	return b
}

// writeRateLimited answers 429 to a request refused for wait, with the
// wait in Retry-After.
func writeRateLimited(w http.ResponseWriter, wait time.Duration, perSecond int) {
	e, secs := rateLimited(wait, perSecond)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, e)
}

// rateLimited is the refusal of a request that must wait, and the wait in
// whole seconds for Retry-After (rounded up: at least 1).
func rateLimited(wait time.Duration, perSecond int) (*apiError, int) {
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	return fail(http.StatusTooManyRequests, codeRateLimited,
		"the organization is over its API limit of %d requests per second; retry after %d s", perSecond, secs), secs
}
