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

// Supersede marks a record with a resend and starts its count over, once:
// a record already at that resend (the resend's message was attempted
// first) keeps its count, and an unknown id is no error and no record.
func TestSupersedeMarksTheRecordOnce(t *testing.T) {
	s, rec := savedRecord(t, 2)
	ctx, now := context.Background(), rec.LastAttemptAt
	propose(t, s, "dlv_1", 1)
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
	if err := s.Propose(ctx, "dlv_missing", 1); err != nil {
		t.Fatalf("proposal for an unknown delivery: %v", err)
	}
	if err := s.Supersede(ctx, "dlv_missing", 1); err != nil {
		t.Fatalf("mark of an unknown delivery: %v", err)
	}
	if _, err := s.Get(ctx, "dlv_missing"); err == nil {
		t.Fatal("the mark created a record")
	}
}

// A save of a schedule older than the record's (a copy of it attempted
// unread on its first receive) is refused and keeps the resend's count;
// once the record expired, it is a record like any other.
func TestSaveOfASupersededScheduleIsRefused(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	s.Now = func() time.Time { return now }
	resent := deliverylog.DeliveryRecord{DeliveryID: "dlv_1", OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick",
		Message: `{"resend":1}`, Attempts: 2, FirstAttemptAt: now, LastAttemptAt: now, Status: deliverylog.StatusInFlight, LastStatusCode: 503, Resend: 1}
	if err := s.Save(ctx, resent); err != nil {
		t.Fatal(err)
	}
	older := resent
	older.Message, older.Attempts, older.Resend = "{}", 1, 0
	if err := s.Save(ctx, older); !errors.Is(err, deliverylog.ErrSuperseded) {
		t.Fatalf("save of the older schedule: %v, want ErrSuperseded", err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Resend != 1 || got.Attempts != 2 {
		t.Fatalf("after the refused save: %+v, %v; want the resend's record", got, err)
	}
	next := resent
	next.Attempts = 3
	if err := s.Save(ctx, next); err != nil {
		t.Fatalf("the resend's own next save: %v", err)
	}
	now = now.Add(config.DeliveryRecordMinTTL + config.DeliveryRetention)
	older.LastAttemptAt = now
	if err := s.Save(ctx, older); err != nil {
		t.Fatalf("save over an expired record: %v", err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Resend != 0 || got.Attempts != 1 {
		t.Fatalf("after the save over an expired record: %+v, %v", got, err)
	}
}

// EndResend removes the mark of that resend only: a record a later resend
// marked meanwhile keeps its mark, and an unknown id is no error.
func TestEndResendRemovesThatResendsMark(t *testing.T) {
	s, rec := savedRecord(t, 3)
	ctx := context.Background()
	propose(t, s, "dlv_1", 2)
	if err := s.Supersede(ctx, "dlv_1", 2); err != nil {
		t.Fatal(err)
	}
	if err := s.EndResend(ctx, "dlv_1", 1); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Resend != 2 {
		t.Fatalf("after ending resend 1 of a record at 2: %+v, %v; want resend 2 kept", got, err)
	}
	if err := s.EndResend(ctx, "dlv_1", 2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Resend != 0 {
		t.Fatalf("after ending resend 2: %+v, %v; want no mark", got, err)
	}
	// The older schedule's save counts again.
	if err := s.Save(ctx, rec); err != nil {
		t.Fatalf("save of the older schedule after the end: %v", err)
	}
	if err := s.EndResend(ctx, "dlv_missing", 1); err != nil {
		t.Fatalf("end of an unknown delivery: %v", err)
	}
	if _, err := s.Get(ctx, "dlv_missing"); err == nil {
		t.Fatal("the end created a record")
	}
}

func propose(t *testing.T, s *dynamo.DeliveryStore, id string, resend int) {
	t.Helper()
	if err := s.Propose(context.Background(), id, resend); err != nil {
		t.Fatal(err)
	}
}

// A mark takes effect only on its standing proposal: none proposed or one
// withdrawn by the skip of the resend's message (EndResend) is not marked
// over, nor a record the resend's own message saved first.
func TestSupersedeNeedsItsStandingProposal(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	rec := deliverylog.DeliveryRecord{DeliveryID: "dlv_1", OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick",
		Message: "{}", Attempts: 3, FirstAttemptAt: now, LastAttemptAt: now, Status: deliverylog.StatusInFlight, LastStatusCode: 503}
	if err := s.Save(ctx, rec); err != nil {
		t.Fatal(err)
	}
	unmarked := func(what string) {
		t.Helper()
		if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Resend != 0 || got.Attempts != 3 {
			t.Fatalf("%s: %+v, %v; want the record unmarked", what, got, err)
		}
	}
	if err := s.Supersede(ctx, "dlv_1", 1); err != nil {
		t.Fatal(err)
	}
	unmarked("a mark never proposed")

	propose(t, s, "dlv_1", 1)
	if err := s.EndResend(ctx, "dlv_1", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Supersede(ctx, "dlv_1", 1); err != nil {
		t.Fatal(err)
	}
	unmarked("a mark whose proposal the skip withdrew")

	// The resend's own message attempted first: its save holds its
	// schedule, which the mark must not start over.
	propose(t, s, "dlv_1", 2)
	own := rec
	own.Resend, own.Attempts = 2, 1
	if err := s.Save(ctx, own); err != nil {
		t.Fatal(err)
	}
	if err := s.Supersede(ctx, "dlv_1", 2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Resend != 2 || got.Attempts != 1 {
		t.Fatalf("a mark after the resend's own save: %+v, %v; want that save's record (resend 2, attempt 1)", got, err)
	}
}

// A retry of the schedule a resend replaces, saved between the resend's
// Propose and its Supersede, leaves the proposal standing: the Supersede
// still marks the record, so the old schedule's copies are dropped.
func TestASaveOfTheOldScheduleKeepsTheProposal(t *testing.T) {
	s, rec := savedRecord(t, 2)
	ctx := context.Background()
	propose(t, s, "dlv_1", 1)
	rec.Attempts++
	if err := s.Save(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Supersede(ctx, "dlv_1", 1); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "dlv_1"); err != nil || got.Resend != 1 || got.Attempts != 0 {
		t.Fatalf("after the old schedule's save and the Supersede: %+v, %v; want the record marked (resend 1, count 0)", got, err)
	}
	rec.Attempts++
	if err := s.Save(ctx, rec); !errors.Is(err, deliverylog.ErrSuperseded) {
		t.Fatalf("a later save of the old schedule: %v, want ErrSuperseded", err)
	}
}

// savedRecord is a store on a fresh table holding dlv_1's record of
// that many attempts, the last one failed.
func savedRecord(t *testing.T, attempts int) (*dynamo.DeliveryStore, deliverylog.DeliveryRecord) {
	t.Helper()
	db, table := testenv.Table(t)
	s := dynamo.NewDeliveryStore(db, table, time.Hour)
	now := time.Now().UTC().Truncate(time.Second)
	rec := deliverylog.DeliveryRecord{DeliveryID: "dlv_1", OrgID: "org_a", WebhookID: "wh_1", EventID: "evt_1", EventName: "emailClick",
		Message: "{}", Attempts: attempts, FirstAttemptAt: now, LastAttemptAt: now, Status: deliverylog.StatusInFlight, LastStatusCode: 503}
	if err := s.Save(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return s, rec
}
