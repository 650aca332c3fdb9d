package dynamo_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestDeliveryStoreCountsResetsAndFinishes(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return t0 }
	d := message.Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org_a", WebhookID: "wh_1", EventName: "emailClick", Envelope: "{}"}
	body, _ := d.Encode()

	for n := 1; n <= 3; n++ {
		at := t0.Add(time.Duration(n) * time.Minute)
		rec, err := s.BeginAttempt(ctx, d, body, at)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Attempts != n || !rec.FirstAttemptAt.Equal(t0.Add(time.Minute)) || !rec.LastAttemptAt.Equal(at) {
			t.Fatalf("attempt %d: %+v", n, rec)
		}
		if rec.DeliveryID != "dlv_1" || rec.OrgID != "org_a" || rec.WebhookID != "wh_1" || rec.Message != body || rec.Status != deliverylog.StatusInFlight {
			t.Fatalf("record fields: %+v", rec)
		}
	}

	// The counter is atomic: concurrent receives of one message get distinct n.
	var mu sync.Mutex
	var got []int
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, err := s.BeginAttempt(ctx, d, body, t0.Add(time.Hour))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, rec.Attempts)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Ints(got)
	for i, n := range got {
		if n != 4+i {
			t.Fatalf("concurrent attempt numbers %v, want 4..15 each once", got)
		}
	}

	if err := s.Finish(ctx, "dlv_1", deliverylog.OutcomeDeadLettered, 500); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Get(ctx, "dlv_1")
	if err != nil || rec.Status != deliverylog.OutcomeDeadLettered || rec.LastStatusCode != 500 || rec.Attempts != 15 || rec.Message != body {
		t.Fatalf("Get after Finish: %+v, %v", rec, err)
	}

	if err := s.ResetAttempts(ctx, "dlv_1"); err != nil {
		t.Fatal(err)
	}
	rec, err = s.BeginAttempt(ctx, d, body, t0.Add(2*time.Hour))
	if err != nil || rec.Attempts != 1 || !rec.FirstAttemptAt.Equal(t0.Add(2*time.Hour)) {
		t.Fatalf("after reset: %+v, %v (want attempt 1 with a new first attempt time)", rec, err)
	}

	// Unknown ids are not found and are not created by Finish or Reset.
	if err := s.Finish(ctx, "dlv_missing", deliverylog.OutcomeDelivered, 200); !errors.Is(err, deliverylog.ErrNotFound) {
		t.Fatalf("Finish unknown: %v", err)
	}
	if err := s.ResetAttempts(ctx, "dlv_missing"); !errors.Is(err, deliverylog.ErrNotFound) {
		t.Fatalf("Reset unknown: %v", err)
	}
	if _, err := s.Get(ctx, "dlv_missing"); !errors.Is(err, deliverylog.ErrNotFound) {
		t.Fatalf("Get unknown: %v", err)
	}

	// Past expires_at (last attempt + ttl) the record reads as absent.
	s.Now = func() time.Time { return t0.Add(3*time.Hour + time.Second) }
	if _, err := s.Get(ctx, "dlv_1"); !errors.Is(err, deliverylog.ErrNotFound) {
		t.Fatalf("Get expired: %v", err)
	}
}
