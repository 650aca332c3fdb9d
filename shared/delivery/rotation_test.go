package delivery

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
	"github.com/hookrelay/hookrelay/verify"
)

// A rotation bumps the webhook's secret version; delivery, which caches
// secrets per version for the container's life, signs with the new secret
// (and the old one during grace) from the first delivery that reads the
// webhook again: 12 s after the rotation, past the 10 s webhook cache. The
// old one stops when its grace ends, from the same cached read.
func TestRotationSignsWithTheNewSecretWithinTheWebhookCacheTTL(t *testing.T) {
	t0 := time.Now()
	clock := t0
	now := func() time.Time { return clock }
	e := newEnv(t, testConfig(), nil)
	cache := NewWebhookCache(e.webhooks, DefaultWebhookCacheTTL)
	cache.Now = now
	e.h.d.Webhooks, e.h.now = cache, now
	e.secrets.active = []string{testSecretOld}
	hook := webhook.Webhook{ID: "wh_rot", OrgID: "org_a", Enabled: true}
	deliver := deliverTo(t, e, &hook)
	e.webhooks.put(hook)
	verifies := func(r *http.Request, body []byte, secret string) bool {
		return verify.Verifier{Secrets: []string{secret}, Prefix: "Hookrelay"}.Verify(r.Header, body, clock) == nil
	}

	if r, b := deliver("evt_1"); !verifies(r, b, testSecretOld) {
		t.Fatal("before the rotation: not signed with the secret")
	}
	// The API rotates: the store's active list and the webhook's version.
	e.secrets.mu.Lock()
	e.secrets.active = []string{testSecret, testSecretOld}
	e.secrets.previousEnds = t0.Add(20 * time.Second)
	e.secrets.mu.Unlock()
	hook.SecretVersion = 1
	e.webhooks.put(hook)

	clock = t0.Add(12 * time.Second)
	r, b := deliver("evt_2")
	if !verifies(r, b, testSecret) || !verifies(r, b, testSecretOld) {
		t.Fatalf("12 s after the rotation: new secret %v, old one (grace) %v; want both",
			verifies(r, b, testSecret), verifies(r, b, testSecretOld))
	}
	// Steady traffic reads nothing more: one read per secret version.
	clock = t0.Add(13 * time.Second)
	deliver("evt_3")
	// Past the grace the old secret signs no more.
	clock = t0.Add(20 * time.Second)
	if r, b := deliver("evt_4"); !verifies(r, b, testSecret) || verifies(r, b, testSecretOld) {
		t.Fatalf("at the end of the grace: new secret %v, old one %v; want the new one alone",
			verifies(r, b, testSecret), verifies(r, b, testSecretOld))
	}
	if e.secrets.reads != 2 {
		t.Errorf("%d secret-store reads, want 2 (one per version)", e.secrets.reads)
	}
}

// A secret-store read right after a rotation may still return the record
// before it (the risk Secrets Manager's undocumented read-after-write
// consistency leaves). That record signs the one delivery that read it,
// but is not cached under the new version: the next delivery reads again
// and signs with the new secret, then keeps it.
func TestAStaleSecretReadAfterARotationIsNotCached(t *testing.T) {
	e := newEnv(t, testConfig(), nil)
	e.secrets.active = []string{testSecretOld}
	hook := webhook.Webhook{ID: "wh_stale", OrgID: "org_a", Enabled: true}
	deliver := deliverTo(t, e, &hook)
	e.webhooks.put(hook)
	signedWith := func(event, secret string) bool {
		t.Helper()
		r, b := deliver(event)
		return verify.Verifier{Secrets: []string{secret}, Prefix: "Hookrelay"}.Verify(r.Header, b, time.Now()) == nil
	}

	if !signedWith("evt_1", testSecretOld) {
		t.Fatal("before the rotation: not signed with the secret")
	}
	// The rotation is counted on the webhook item (version and grace end),
	// but the store's next read still returns the record before it.
	graceEnd := time.Now().Add(time.Hour).Truncate(time.Second)
	hook.SecretVersion, hook.PreviousSecretExpiresAt = 1, graceEnd
	e.webhooks.put(hook)
	if !signedWith("evt_2", testSecretOld) {
		t.Fatal("the stale read's record did not sign its delivery")
	}
	// The store now returns the rotated record.
	e.secrets.mu.Lock()
	e.secrets.active = []string{testSecret, testSecretOld}
	e.secrets.previousEnds = graceEnd
	e.secrets.mu.Unlock()
	if !signedWith("evt_3", testSecret) {
		t.Fatal("after a stale read the old record was kept: not signed with the new secret")
	}
	if !signedWith("evt_4", testSecret) {
		t.Fatal("not signed with the new secret")
	}
	if e.secrets.reads != 3 {
		t.Errorf("%d secret-store reads, want 3 (the first version, the stale read, the rotated record kept)", e.secrets.reads)
	}
}

// deliverTo points hook at a receiver that keeps what it is sent, and
// returns a function that delivers one event to hook through e's handler
// and returns the request it received.
func deliverTo(t *testing.T, e *env, hook *webhook.Webhook) func(event string) (*http.Request, []byte) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, body)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	hook.URL = srv.URL
	return func(event string) (*http.Request, []byte) {
		t.Helper()
		m := received(sqsMessage(t, hook.OrgID, hook.ID, event), 1)
		if resp, _ := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{m}}); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery failed: %+v", resp)
		}
		mu.Lock()
		defer mu.Unlock()
		return got[len(got)-1], bodies[len(bodies)-1]
	}
}

// scriptedRecords returns its records in turn, the last one from then on,
// and counts the reads: a store whose reads catch up with its writes late.
type scriptedRecords struct {
	mu      sync.Mutex
	records []secrets.Record
	reads   int
}

func (s *scriptedRecords) Record(context.Context, string, string) (secrets.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.records[min(s.reads, len(s.records)-1)]
	s.reads++
	return r, nil
}

// activeThrice asks a new cache over store for hook's secrets three times
// at now, and fails t unless the first answer is first and the next two
// are then, with reads store reads in all.
func activeThrice(t *testing.T, store *scriptedRecords, hook webhook.Webhook, now time.Time, first, then []string, reads int) {
	t.Helper()
	cache := NewSecretCache(store)
	for i, want := range [][]string{first, then, then} {
		got, err := cache.Active(context.Background(), hook, now)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("read %d: %v, %v; want %v", i+1, got, err, want)
		}
	}
	if store.reads != reads {
		t.Errorf("%d store reads, want %d", store.reads, reads)
	}
}

// Two rotations of one webhook in the same second end their graces in the
// same second: a stale read returning the first one's record signs its
// one delivery, but is not kept under the second's version, whose item
// names the second's record.
func TestAStaleReadOfARotationInTheSameSecondIsNotCached(t *testing.T) {
	now := time.Date(2026, 12, 2, 1, 0, 0, 100e6, time.UTC)
	r1 := secrets.Record{Current: "s0"}.Rotated(secrets.Rotation{ID: "rot_1", Secret: "s1", Grace: 24 * time.Hour}, now)
	r2 := r1.Rotated(secrets.Rotation{ID: "rot_2", Secret: "s2", Grace: 24 * time.Hour}, now.Add(200*time.Millisecond))
	hook := webhook.Webhook{OrgID: "org_a", ID: "wh_1", SecretVersion: 2, SecretRotation: "rot_2", PreviousSecretExpiresAt: r2.PreviousExpiresAt}
	activeThrice(t, &scriptedRecords{records: []secrets.Record{r1, r2}}, hook, now.Add(time.Second),
		[]string{"s1", "s0"}, []string{"s2", "s1"}, 2)
}

// An undo puts back the record from before a failed rotation, whose grace
// ends earlier than the failed one's: a stale read of the failed
// rotation's record (its secret shown to nobody) is not kept under the
// undo's version, which names the restored record.
func TestAStaleReadOfAnUndoneRotationIsNotCached(t *testing.T) {
	now := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	before := secrets.Record{Current: "s0"}.Rotated(secrets.Rotation{ID: "rot_1", Secret: "s1", Grace: time.Hour}, now)
	failed := before.Rotated(secrets.Rotation{ID: "rot_2", Secret: "unseen", Grace: time.Hour}, now.Add(time.Minute))
	restored := before
	restored.Rotation = "undo_2"
	hook := webhook.Webhook{OrgID: "org_a", ID: "wh_1", SecretVersion: 3, SecretRotation: "undo_2", PreviousSecretExpiresAt: before.PreviousExpiresAt}
	activeThrice(t, &scriptedRecords{records: []secrets.Record{failed, restored}}, hook, now.Add(2*time.Minute),
		[]string{"unseen", "s1"}, []string{"s1", "s0"}, 2)
}

// A record without a rotation id (rotated by an api from before ids, still
// running during a deploy or a rollback) under an item that names one is
// judged by its grace end, as before ids: kept when it is not older than
// the item's last rotation, so the store is read once, not at every
// delivery until the next rotation.
func TestARecordWithoutARotationIdIsKeptByItsGraceEnd(t *testing.T) {
	now := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)
	counted := secrets.Record{Current: "s0"}.Rotated(secrets.Rotation{ID: "rot_1", Secret: "s1", Grace: time.Hour}, now)
	byOldAPI := counted.Rotated(secrets.Rotation{Secret: "s2", Grace: time.Hour}, now.Add(time.Minute))
	hook := webhook.Webhook{OrgID: "org_a", ID: "wh_1", SecretVersion: 2, SecretRotation: "rot_1", PreviousSecretExpiresAt: counted.PreviousExpiresAt}
	activeThrice(t, &scriptedRecords{records: []secrets.Record{byOldAPI}}, hook, now.Add(2*time.Minute),
		[]string{"s2", "s1"}, []string{"s2", "s1"}, 1)
	// An id-less record from before the item's last rotation is stale:
	// not kept.
	stale := secrets.Record{Current: "s0"}.Rotated(secrets.Rotation{Secret: "s1", Grace: time.Hour}, now.Add(-time.Hour))
	activeThrice(t, &scriptedRecords{records: []secrets.Record{stale, counted}}, hook, now.Add(2*time.Minute),
		[]string{"s1"}, []string{"s1", "s0"}, 2)
}
