package api_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/api"
	"github.com/hookrelay/hookrelay/shared/delivery"
	"github.com/hookrelay/hookrelay/shared/detach"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// holdFirstBump holds the first BumpSecretVersion until release closes:
// that rotation's record is written, its count is not.
type holdFirstBump struct {
	webhook.Store
	once    sync.Once
	held    chan struct{}
	release chan struct{}
}

func (h *holdFirstBump) BumpSecretVersion(ctx context.Context, orgID, id string, pe time.Time, rot string) error {
	first := false
	h.once.Do(func() { first = true })
	if first {
		close(h.held)
		<-h.release
	}
	return h.Store.BumpSecretVersion(ctx, orgID, id, pe, rot)
}

// lastWriterWins rotates as the Secrets Manager adapter does, a read and
// then a plain write over whatever is there; the first rotation writes
// only once the second has written (both read the same record).
type lastWriterWins struct {
	secrets.Store
	once        sync.Once
	firstRead   chan struct{}
	secondWrote chan struct{}
}

func (l *lastWriterWins) Rotate(ctx context.Context, orgID, id string, rot secrets.Rotation) (secrets.Record, error) {
	r, err := l.Store.Record(ctx, orgID, id)
	if err != nil {
		return secrets.Record{}, err
	}
	first := false
	l.once.Do(func() { first = true })
	if first {
		close(l.firstRead)
		<-l.secondWrote
	}
	err = l.Store.ReplaceRecord(ctx, orgID, id, r.Rotated(rot, time.Now()))
	if !first {
		close(l.secondWrote)
	}
	return r, err
}

type countingRecords struct {
	delivery.SecretStore
	n atomic.Int64
}

func (c *countingRecords) Record(ctx context.Context, orgID, id string) (secrets.Record, error) {
	c.n.Add(1)
	return c.SecretStore.Record(ctx, orgID, id)
}

// Two rotations at once whose counts land in the other order than their
// record writes: B is made over A's record and counted first, A's count
// lands last. The item must end naming the record the store holds, so
// that deliver caches it: one store read serves five deliveries (every
// delivery read the secret store until the next rotation).
func TestConcurrentRotationsLeaveTheItemNamingTheStoredRecord(t *testing.T) {
	t.Parallel()
	gate := &holdFirstBump{held: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, func(d *api.Deps) { gate.Store = d.Webhooks; d.Webhooks = gate })
	tok := e.token("org_rot_race")
	hook := e.create(tok, createBody("rot", "emailOpen"))
	path := webhooksPath + "/" + hook.ID + "/rotate-secret"

	var a response
	done := make(chan struct{})
	go func() { defer close(done); a = e.do(http.MethodPost, path, tok, nil) }()
	<-gate.held // A's record is written, its count is held
	b := e.do(http.MethodPost, path, tok, nil)
	close(gate.release)
	<-done
	if a.status != http.StatusOK || b.status != http.StatusOK {
		t.Fatalf("rotations: A %d, B %d; want both 200", a.status, b.status)
	}
	assertOneStoreReadServesDeliveries(t, e, "org_rot_race", hook.ID)
}

// The same with a last-writer-wins store (secretStore=secretsmanager):
// both rotations read the same record, B writes, A writes over it and is
// counted, B's count lands last. The store keeps A's record (the
// documented limit); the item must name it too.
func TestConcurrentLastWriterWinsRotationsLeaveTheItemNamingTheStoredRecord(t *testing.T) {
	t.Parallel()
	gate := &holdFirstBump{held: make(chan struct{}), release: make(chan struct{})}
	lww := &lastWriterWins{firstRead: make(chan struct{}), secondWrote: make(chan struct{})}
	e := newEnv(t, func(d *api.Deps) {
		gate.Store, lww.Store = d.Webhooks, d.Secrets
		d.Webhooks, d.Secrets = gate, lww
	})
	tok := e.token("org_rot_lww")
	hook := e.create(tok, createBody("rot", "emailOpen"))
	path := webhooksPath + "/" + hook.ID + "/rotate-secret"

	var a, b response
	aDone, bDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(aDone); a = e.do(http.MethodPost, path, tok, nil) }()
	<-lww.firstRead
	go func() { defer close(bDone); b = e.do(http.MethodPost, path, tok, nil) }()
	<-gate.held // B's record is written (A's then lands over it), B's count is held
	<-aDone
	close(gate.release)
	<-bDone
	if a.status != http.StatusOK || b.status != http.StatusOK {
		t.Fatalf("rotations: A %d, B %d; want both 200", a.status, b.status)
	}
	assertOneStoreReadServesDeliveries(t, e, "org_rot_lww", hook.ID)
}

// assertOneStoreReadServesDeliveries checks that the webhook item names
// the record the secret store holds, so deliver's cache keeps it.
func assertOneStoreReadServesDeliveries(t *testing.T, e *env, orgID, id string) {
	t.Helper()
	ctx := context.Background()
	w, err := e.store.Get(ctx, orgID, id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.secrets.Record(ctx, orgID, id)
	if err != nil {
		t.Fatal(err)
	}
	cs := &countingRecords{SecretStore: e.secrets}
	cache := delivery.NewSecretCache(cs)
	for range 5 {
		if _, err := cache.Active(ctx, w, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if w.SecretRotation != r.Rotation || cs.n.Load() != 1 {
		t.Errorf("the item names rotation %s, the store holds %s: %d secret store reads for 5 deliveries, want 1", w.SecretRotation, r.Rotation, cs.n.Load())
	}
}

// deadlineOfReads keeps the deadline of each Record call's context.
type deadlineOfReads struct {
	secrets.Store
	mu        sync.Mutex
	deadlines []time.Time // zero: none
}

func (d *deadlineOfReads) Record(ctx context.Context, orgID, id string) (secrets.Record, error) {
	dl, _ := ctx.Deadline()
	d.mu.Lock()
	d.deadlines = append(d.deadlines, dl)
	d.mu.Unlock()
	return d.Store.Record(ctx, orgID, id)
}

// The read after a rotation's count is bookkeeping with a bound of its
// own: a store that does not answer must not hold back the only answer
// that shows the new secret (it had no deadline at all).
func TestTheReadAfterARotationIsBounded(t *testing.T) {
	t.Parallel()
	reads := &deadlineOfReads{}
	e := newEnv(t, func(d *api.Deps) { reads.Store = d.Secrets; d.Secrets = reads })
	tok := e.token("org_rot_bound")
	hook := e.create(tok, createBody("rot", "emailOpen"))
	before := time.Now()
	if res := e.do(http.MethodPost, webhooksPath+"/"+hook.ID+"/rotate-secret", tok, nil); res.status != http.StatusOK {
		t.Fatalf("rotate: %d", res.status)
	}
	reads.mu.Lock()
	defer reads.mu.Unlock()
	if len(reads.deadlines) == 0 {
		t.Fatal("no read of the record after the rotation")
	}
	last := reads.deadlines[len(reads.deadlines)-1]
	if last.IsZero() || last.After(time.Now().Add(detach.BookkeepingTimeout)) || last.Before(before) {
		t.Fatalf("the read after the count had deadline %v, want one within %s", last, detach.BookkeepingTimeout)
	}
}
