package api_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
)

// manualClock is a Deps.Now that moves only when the test says so.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func withOrgRateLimit(perSecond int, clock *manualClock) envOption {
	return func(d *api.Deps) {
		d.Config.OrgRateLimit = perSecond
		d.Now = clock.Now
	}
}

// Each organization has a bucket of its own (rate 2/s, burst 4): the
// fifth request of org_noisy in one instant gets 429 with Retry-After and
// the JSON error, publishes nothing, and takes no token; org_quiet and an
// operator are served meanwhile; half a second later one request more
// is served.
func TestOrgRateLimitHoldsBackOneOrganizationOnly(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, withOrgRateLimit(2, clock))
	noisy, quiet, operator := e.token("org_noisy"), e.token("org_quiet"), e.operatorToken("org_noisy")
	for i := range 4 {
		if res := e.do(http.MethodGet, "/api/v1/event-types", noisy, nil); res.status != http.StatusOK {
			t.Fatalf("request %d within the burst: %d %s", i+1, res.status, res.body)
		}
	}
	res := e.do(http.MethodPost, "/api/v1/events", noisy, `{"event_name":"emailClick","data":`+clickData(t, 200)+`}`)
	res.wantError(t, http.StatusTooManyRequests, "rate_limited")
	if got := res.header.Get("Retry-After"); got != "1" {
		t.Errorf("Retry-After %q, want 1 (a token comes back in 500 ms, rounded up)", got)
	}
	if len(e.pub.calls) != 0 {
		t.Errorf("a refused publish reached the bus: %v", e.pub.calls)
	}
	e.do(http.MethodGet, "/api/v1/event-types", noisy, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")
	for name, tok := range map[string]string{"another organization": quiet, "an operator": operator} {
		if res := e.do(http.MethodGet, "/api/v1/event-types", tok, nil); res.status != http.StatusOK {
			t.Errorf("%s is held back with org_noisy: %d %s", name, res.status, res.body)
		}
	}
	// The refusals took no token: 500 ms later exactly one is back.
	clock.advance(500 * time.Millisecond)
	if res := e.do(http.MethodGet, "/api/v1/event-types", noisy, nil); res.status != http.StatusOK {
		t.Fatalf("after the refill: %d %s", res.status, res.body)
	}
	e.do(http.MethodGet, "/api/v1/event-types", noisy, nil).wantError(t, http.StatusTooManyRequests, "rate_limited")
}

// Without a limit (0, the default and `make dev`'s) nothing is refused.
func TestOrgRateLimitOffByDefault(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
	e := newEnv(t, withOrgRateLimit(0, clock))
	tok := e.token("org_busy")
	for i := range 50 {
		if res := e.do(http.MethodGet, "/api/v1/event-types", tok, nil); res.status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, res.status, res.body)
		}
	}
}
