package dynamo_test

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// Supersede marks a record with a resend and starts its count over, once:
// a record already at that resend (the resend's message was attempted
// first) keeps its count, and an unknown id is no error and no record.
func TestSupersedeMarksTheRecordOnce(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	rec := deliverylog.DeliveryRecord{DeliveryID: "dlv_1", OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick",
		Message: "{}", Attempts: 2, FirstAttemptAt: now, LastAttemptAt: now, Status: deliverylog.StatusInFlight, LastStatusCode: 503}
	if err := s.Save(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Supersede(ctx, "dlv_1", 1); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "dlv_1")
	if err != nil || got.Attempts != 0 || got.Resend != 1 || !got.FirstAttemptAt.IsZero() || got.Message != "{}" {
		t.Fatalf("after the mark: %+v, %v; want 0 attempts at resend 1, the message kept", got, err)
	}
	// The resend's own schedule saves its count; a repeated mark keeps it.
	got.Attempts, got.LastAttemptAt = 1, now
	if err := s.Save(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := s.Supersede(ctx, "dlv_1", 1); err != nil {
		t.Fatal(err)
	}
	if again, err := s.Get(ctx, "dlv_1"); err != nil || again.Attempts != 1 || again.Resend != 1 {
		t.Fatalf("after a repeated mark: %+v, %v; want the resend's count kept", again, err)
	}
	if err := s.Supersede(ctx, "dlv_missing", 1); err != nil {
		t.Fatalf("mark of an unknown delivery: %v", err)
	}
	if _, err := s.Get(ctx, "dlv_missing"); err == nil {
		t.Fatal("the mark created a record")
	}
}
