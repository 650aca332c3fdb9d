package secrets_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devsecrets"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// countingStore counts Active calls reaching the wrapped store and can hold
// them until released, to observe concurrent misses.
type countingStore struct {
	secrets.Store
	calls atomic.Int32
	gate  chan struct{} // nil = do not block
}

func (s *countingStore) Active(ctx context.Context, orgID, webhookID string, now time.Time) ([]string, error) {
	s.calls.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	return s.Store.Active(ctx, orgID, webhookID, now)
}

// newCachedForTest returns the wrapper with a clock the test moves.
func newCachedForTest(t *testing.T, ttl time.Duration) (secrets.Store, *countingStore, *time.Time) {
	t.Helper()
	local, err := devsecrets.NewLocal("")
	if err != nil {
		t.Fatal(err)
	}
	inner := &countingStore{Store: local}
	clock := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c := secrets.NewCachedAt(inner, ttl, func() time.Time { return clock })
	return c, inner, &clock
}

func TestCachedServesWithinTTLAndRefetchesAfter(t *testing.T) {
	ctx := context.Background()
	c, inner, clock := newCachedForTest(t, time.Minute)
	first, second := secretstest.Generate(t), secretstest.Generate(t)
	if err := c.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), first)
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), first)
	if n := inner.calls.Load(); n != 1 {
		t.Fatalf("store called %d times within the TTL, want 1", n)
	}

	// A rotation made elsewhere (another Lambda) bypasses the wrapper: it
	// is invisible until the entry expires, then visible.
	if err := inner.Rotate(ctx, "org_a", "wh_1", second, time.Hour); err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(59 * time.Second)
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), first)
	*clock = clock.Add(time.Second)
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), second, first)
	if n := inner.calls.Load(); n != 2 {
		t.Fatalf("store called %d times, want 2 (one refetch after expiry)", n)
	}
}

func TestCachedRotateAndDeleteInvalidate(t *testing.T) {
	ctx := context.Background()
	c, inner, _ := newCachedForTest(t, time.Hour)
	first, second := secretstest.Generate(t), secretstest.Generate(t)
	if err := c.Create(ctx, "org_a", "wh_1", first); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), first)
	if err := c.Rotate(ctx, "org_a", "wh_1", second, time.Hour); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), second, first)
	if err := c.ScheduleDeletion(ctx, "org_a", "wh_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Active(ctx, "org_a", "wh_1", time.Now()); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("Active after deletion through the wrapper: err = %v, want ErrNotFound", err)
	}
	if n := inner.calls.Load(); n != 3 {
		t.Fatalf("store called %d times, want 3 (each change forces a refetch)", n)
	}
}

func TestCachedDoesNotCacheErrors(t *testing.T) {
	ctx := context.Background()
	c, inner, _ := newCachedForTest(t, time.Hour)
	if _, err := c.Active(ctx, "org_a", "wh_1", time.Now()); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	secret := secretstest.Generate(t)
	if err := inner.Create(ctx, "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), secret)
}

func TestCachedSharesConcurrentMisses(t *testing.T) {
	ctx := context.Background()
	c, inner, _ := newCachedForTest(t, time.Hour)
	secret := secretstest.Generate(t)
	if err := c.Create(ctx, "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	inner.gate = make(chan struct{})
	waiting := &waitCounter{Context: ctx}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := c.Active(waiting, "org_a", "wh_1", time.Now())
			if err != nil || len(got) != 1 || got[0] != secret {
				t.Errorf("concurrent Active returned %d secrets, err %v", len(got), err)
			}
		}()
	}
	// Release the first lookup only once the nine others wait for it.
	testenv.WaitFor(t, 10*time.Second, "one lookup and nine callers waiting for it", func() bool {
		return inner.calls.Load() == 1 && waiting.n.Load() == 9
	})
	close(inner.gate)
	wg.Wait()
	if n := inner.calls.Load(); n != 1 {
		t.Fatalf("store called %d times for 10 concurrent misses, want 1", n)
	}
}

// waitCounter counts calls of Done: a caller of Active that waits for
// another's lookup selects on ctx.Done, the one doing the lookup does not
// (countingStore holds it at its gate first).
type waitCounter struct {
	context.Context
	n atomic.Int32
}

func (c *waitCounter) Done() <-chan struct{} {
	c.n.Add(1)
	return c.Context.Done()
}

func TestCachedReturnsCopies(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newCachedForTest(t, time.Hour)
	secret := secretstest.Generate(t)
	if err := c.Create(ctx, "org_a", "wh_1", secret); err != nil {
		t.Fatal(err)
	}
	got, err := c.Active(ctx, "org_a", "wh_1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got[0] = "tampered"
	secretstest.AssertActive(t, c, "org_a", "wh_1", time.Now(), secret)
}

func TestCachedZeroTTLIsPassThrough(t *testing.T) {
	local, err := devsecrets.NewLocal("")
	if err != nil {
		t.Fatal(err)
	}
	inner := &countingStore{Store: local}
	s := secrets.NewCached(inner, 0)
	if err := s.Create(context.Background(), "org_a", "wh_1", secretstest.Generate(t)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := s.Active(context.Background(), "org_a", "wh_1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if n := inner.calls.Load(); n != 3 {
		t.Fatalf("store called %d times with caching disabled, want 3", n)
	}
}
