package dynamo_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestDeliveryStoreSavesResetsAndExpires(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return t0 }
	d := message.Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org_a", WebhookID: "wh_1", EventName: "emailClick", Envelope: "{}"}
	body, _ := d.Encode()
	want := deliverylog.DeliveryRecord{
		DeliveryID: "dlv_1", OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick", Message: body,
		Attempts: 2, FirstAttemptAt: t0.Add(-time.Minute), LastAttemptAt: t0, Status: deliverylog.StatusInFlight, LastStatusCode: 503,
	}
	if err := s.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Get = %+v, %v; want %+v", got, err, want)
	}
	// A later save replaces the record.
	want.Attempts, want.LastAttemptAt = 3, t0.Add(time.Minute)
	if err := s.Save(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Attempts != 3 {
		t.Fatalf("Get after the second save = %+v, %v", got, err)
	}

	s.Now = func() time.Time { return t0.Add(time.Minute) } // a reset comes after the save it starts over
	if err := s.ResetAttempts(ctx, "dlv_1"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Attempts != 0 || !got.FirstAttemptAt.IsZero() || got.Message != body {
		t.Fatalf("after reset: %+v, %v (want 0 attempts, no first attempt, the message kept)", got, err)
	}

	// Unknown ids are not found and are not created by Reset.
	if err := s.ResetAttempts(ctx, "dlv_missing"); !errors.Is(err, deliverylog.ErrNotFound) {
		t.Fatalf("Reset unknown: %v", err)
	}
	if _, err := s.Get(ctx, "dlv_missing"); !errors.Is(err, deliverylog.ErrNotFound) {
		t.Fatalf("Get unknown: %v", err)
	}

	// The store's ttl (attemptTtl) is 1 h, but the attempt count outlives
	// any wait for a retry: kept for the delivery queue's retention.
	s.Now = func() time.Time { return t0.Add(time.Minute + time.Hour + time.Second) }
	if _, err := s.Get(ctx, "dlv_1"); err != nil {
		t.Fatalf("Get past the 1 h ttl, within config.DeliveryRecordMinTTL: %v", err)
	}
	// and as long again, for the final attempt after the retry it counts,
	// whose log entry expires that long after it.
	s.Now = func() time.Time {
		return t0.Add(time.Minute + config.DeliveryRecordMinTTL + config.DeliveryRetention - time.Second)
	}
	if _, err := s.Get(ctx, "dlv_1"); err != nil {
		t.Fatalf("Get within a retention of the min TTL: %v", err)
	}
	// Past expires_at (last attempt + both) the record reads as absent.
	s.Now = func() time.Time {
		return t0.Add(time.Minute + config.DeliveryRecordMinTTL + config.DeliveryRetention + time.Second)
	}
	if _, err := s.Get(ctx, "dlv_1"); !errors.Is(err, deliverylog.ErrNotFound) {
		t.Fatalf("Get expired: %v", err)
	}
}

// A count started over days after its last save (a recover or redrive of
// a dead letter, a resend) belongs to a new send, whose final attempt's
// log entry lives ttl after it: the record lives as long as a save at the
// restart would keep it, or a resend would answer 404 for an attempt the
// log shows.
func TestARestartedCountLivesFromTheRestart(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	life := config.DeliveryRecordMinTTL + config.DeliveryRetention
	for _, restart := range []struct {
		name string
		do   func(id string) error
	}{
		{"reset", func(id string) error { return s.ResetAttempts(ctx, id) }},
		{"supersede", func(id string) error {
			if err := s.Propose(ctx, id, 1); err != nil {
				return err
			}
			return s.Supersede(ctx, id, 1)
		}},
	} {
		id := "dlv_" + restart.name
		s.Now = func() time.Time { return t0 }
		rec := deliverylog.DeliveryRecord{DeliveryID: id, OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick",
			Message: "m", Attempts: 1, FirstAttemptAt: t0, LastAttemptAt: t0, Status: deliverylog.StatusInFlight}
		if err := s.Save(ctx, rec); err != nil {
			t.Fatal(err)
		}
		restartAt := t0.Add(5 * 24 * time.Hour)
		s.Now = func() time.Time { return restartAt }
		if err := restart.do(id); err != nil {
			t.Fatalf("%s: %v", restart.name, err)
		}
		s.Now = func() time.Time { return restartAt.Add(life - time.Second) }
		if got, err := s.Get(ctx, id); err != nil || got.Attempts != 0 {
			t.Fatalf("%s 5 days after the save, read a full life later: %+v, %v; want the restarted record", restart.name, got, err)
		}
	}
}
