package dynamo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// The first copy of a delivery to save its count owns it: a save by
// another copy (another SQS message id) of the same schedule is refused
// with deliverylog.ErrDuplicate while that count is live, and the owner's
// next save goes on.
func TestSaveByAnotherCopyIsRefused(t *testing.T) {
	s, rec := ownedRecord(t)
	ctx := context.Background()
	other := rec
	other.Owner, other.Attempts = "msg-B", 1
	if err := s.Save(ctx, other); !errors.Is(err, deliverylog.ErrDuplicate) {
		t.Fatalf("save by another copy: %v, want ErrDuplicate", err)
	}
	rec.Attempts = 3
	if err := s.Save(ctx, rec); err != nil {
		t.Fatalf("the owner's next save: %v", err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Owner != "msg-A" || got.Attempts != 3 {
		t.Fatalf("record %+v, %v; want msg-A's 3 attempts", got, err)
	}
}

// A count started over hands the schedule to the next copy that saves:
// a redriven or recovered copy (ResetAttempts), a resend's (Supersede),
// and any copy once a skipped resend's schedule ended (EndResend).
func TestCountStartedOverHasNoOwner(t *testing.T) {
	ctx := context.Background()
	for name, startOver := range map[string]func(*dynamo.DeliveryStore) error{
		"reset": func(s *dynamo.DeliveryStore) error { return s.ResetAttempts(ctx, "dlv_1") },
		"supersede": func(s *dynamo.DeliveryStore) error {
			propose(t, s, "dlv_1", 1)
			return s.Supersede(ctx, "dlv_1", 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			s, rec := ownedRecord(t)
			if err := startOver(s); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, "dlv_1")
			if err != nil || got.Owner != "" {
				t.Fatalf("after %s: %+v, %v; want no owner", name, got, err)
			}
			other := rec
			other.Owner, other.Attempts, other.Resend = "msg-B", 1, got.Resend
			if err := s.Save(ctx, other); err != nil {
				t.Fatalf("save by another copy after %s: %v", name, err)
			}
		})
	}
	t.Run("end resend", func(t *testing.T) {
		s, rec := ownedRecord(t)
		propose(t, s, "dlv_1", 1)
		if err := s.Supersede(ctx, "dlv_1", 1); err != nil {
			t.Fatal(err)
		}
		resent := rec
		resent.Owner, resent.Resend = "msg-R", 1
		if err := s.Save(ctx, resent); err != nil {
			t.Fatal(err)
		}
		if err := s.EndResend(ctx, "dlv_1", 1); err != nil {
			t.Fatal(err)
		}
		other := rec
		other.Owner = "msg-B"
		if err := s.Save(ctx, other); err != nil {
			t.Fatalf("save of the older schedule after the resend's ended: %v", err)
		}
	})
}

// An expired record's owner counts nothing any more.
func TestExpiredOwnerDoesNotHoldTheCount(t *testing.T) {
	s, rec := ownedRecord(t)
	s.Now = func() time.Time { return rec.LastAttemptAt.Add(config.DeliveryRecordMinTTL + 365*24*time.Hour) }
	other := rec
	other.Owner, other.LastAttemptAt = "msg-B", s.Now()
	if err := s.Save(context.Background(), other); err != nil {
		t.Fatalf("save by another copy of an expired record: %v", err)
	}
}

// ownedRecord is a record msg-A saved after its second attempt.
func ownedRecord(t *testing.T) (*dynamo.DeliveryStore, deliverylog.DeliveryRecord) {
	t.Helper()
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	now := time.Now().UTC().Truncate(time.Second)
	s.Now = func() time.Time { return now }
	rec := deliverylog.DeliveryRecord{DeliveryID: "dlv_1", OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick",
		Message: "{}", Attempts: 2, FirstAttemptAt: now, LastAttemptAt: now, Status: deliverylog.StatusInFlight, LastStatusCode: 503,
		Owner: "msg-A"}
	if err := s.Save(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return s, rec
}

// Release lets go of the count only for its owner: a copy sent back after
// the owner's dead letter then saves its own count.
func TestReleaseLetsGoOfTheOwnersCount(t *testing.T) {
	s, rec := ownedRecord(t)
	ctx := context.Background()
	if err := s.Release(ctx, "dlv_1", "msg-B"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Owner != "msg-A" {
		t.Fatalf("after another copy's release: %+v, %v; want msg-A still the owner", got, err)
	}
	if err := s.Release(ctx, "dlv_1", "msg-A"); err != nil {
		t.Fatal(err)
	}
	sentBack := rec
	sentBack.Owner, sentBack.Attempts = "msg-C", 1
	if err := s.Save(ctx, sentBack); err != nil {
		t.Fatalf("save by a copy sent back after the release: %v", err)
	}
	if err := s.Release(ctx, "dlv_missing", "msg-A"); err != nil {
		t.Fatalf("release of an unknown delivery: %v", err)
	}
	if _, err := s.Get(ctx, "dlv_missing"); err == nil {
		t.Fatal("the release created a record")
	}
}
