package dynamo_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func TestAttemptLogListsNewestFirstWithCursor(t *testing.T) {
	db, table := testenv.Table(t)
	log := dynamo.NewAttemptLog(db, table, 24*time.Hour)
	ctx := context.Background()
	t0 := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	log.Now = func() time.Time { return t0.Add(time.Hour) }

	mk := func(org, wh string, i int, at time.Time) deliverylog.Attempt {
		return deliverylog.Attempt{
			DeliveryID: fmt.Sprintf("dlv_%02d", i/3), EventID: "evt_x", EventName: "emailClick", OrgID: org, WebhookID: wh,
			Attempt: i%3 + 1, At: at, Outcome: deliverylog.OutcomeRetrying, StatusCode: 500 + i, ErrorClass: "",
			LatencyMS: int64(i), Response: fmt.Sprintf("oops %d", i), Test: i%5 == 0,
		}
	}
	var want []deliverylog.Attempt
	for i := 0; i < 23; i++ {
		a := mk("org_a", "wh_1", i, t0.Add(time.Duration(i)*time.Second))
		if err := log.Append(ctx, a, ""); err != nil {
			t.Fatal(err)
		}
		want = append([]deliverylog.Attempt{a}, want...) // newest first
	}
	// Other webhooks and orgs, and an expired entry of wh_1, never show.
	for _, a := range []deliverylog.Attempt{
		mk("org_a", "wh_2", 1, t0), mk("org_b", "wh_1", 2, t0),
		mk("org_a", "wh_1", 99, t0.Add(-48*time.Hour)),
	} {
		if err := log.Append(ctx, a, ""); err != nil {
			t.Fatal(err)
		}
	}

	// A full last page has no cursor (the 23-entry page, the 1-entry pages):
	// a client stops there instead of asking for an empty page.
	for _, limit := range []int{10, 23, 1} {
		var got []deliverylog.Attempt
		cursor, pages := "", 0
		for {
			page, next, err := log.List(ctx, "org_a", "wh_1", limit, cursor)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			got = append(got, page...)
			if next == "" {
				break
			}
			if pages > len(want) {
				t.Fatal("cursor does not advance")
			}
			cursor = next
		}
		if wantPages := (len(want) + limit - 1) / limit; pages != wantPages || !reflect.DeepEqual(got, want) {
			t.Fatalf("limit %d: pages=%d (want %d), got %d attempts:\n%+v\nwant %d:\n%+v", limit, pages, wantPages, len(got), got, len(want), want)
		}
	}

	for _, bad := range []string{"!!", "Zm9v", "MDAwMDAwMDAwMDAwMDAwMDAwMDAjI2Rsdl8x"} {
		if _, _, err := log.List(ctx, "org_a", "wh_1", 10, bad); !errors.Is(err, webhook.ErrInvalidCursor) {
			t.Errorf("cursor %q: err = %v, want ErrInvalidCursor", bad, err)
		}
	}
}

func TestFindMessageReadsTheEntryThatKeepsIt(t *testing.T) {
	db, table := testenv.Table(t)
	log := dynamo.NewAttemptLog(db, table, 24*time.Hour)
	ctx := context.Background()
	t0 := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	log.Now = func() time.Time { return t0.Add(time.Hour) }
	entry := func(org, wh, dlv string, at time.Time) deliverylog.Attempt {
		return deliverylog.Attempt{DeliveryID: dlv, OrgID: org, WebhookID: wh, Attempt: 1, At: at, Outcome: deliverylog.OutcomeDelivered}
	}
	for _, e := range []struct {
		a   deliverylog.Attempt
		msg string
	}{
		{entry("org_a", "wh_1", "dlv_1", t0), "body 1"},
		{entry("org_a", "wh_1", "dlv_2", t0.Add(time.Second)), ""}, // its record keeps the message
		{entry("org_a", "wh_2", "dlv_3", t0), "other webhook"},
		{entry("org_a", "wh_1", "dlv_old", t0.Add(-48*time.Hour)), "expired"},
	} {
		if err := log.Append(ctx, e.a, e.msg); err != nil {
			t.Fatal(err)
		}
	}
	// Entries after the wanted one are read past.
	for i := range 30 {
		if err := log.Append(ctx, entry("org_a", "wh_1", fmt.Sprintf("dlv_x%d", i), t0.Add(time.Minute)), "x"); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := log.FindMessage(ctx, "org_a", "wh_1", "dlv_1"); err != nil || got != "body 1" {
		t.Fatalf("FindMessage = %q, %v; want body 1", got, err)
	}
	for _, dlv := range []string{"dlv_2", "dlv_3", "dlv_old", "dlv_none"} {
		if got, err := log.FindMessage(ctx, "org_a", "wh_1", dlv); !errors.Is(err, deliverylog.ErrNotFound) {
			t.Errorf("FindMessage(%s) = %q, %v; want not found", dlv, got, err)
		}
	}
	page, _, err := log.List(ctx, "org_a", "wh_1", 100, "")
	if err != nil || len(page) != 32 {
		t.Fatalf("List: %d entries, %v; want 32", len(page), err)
	}
}

// A search for a delivery the log does not keep (a made-up id, or one too
// old) reads at most MaxMessageSearchPages pages of the log, whatever the
// size of the bodies on its entries: a tenant cannot make one resend read
// its whole log. Each entry here keeps a body of ~150 KB that deflate
// cannot shrink, the largest an event makes.
func TestFindMessageReadsBoundedPages(t *testing.T) {
	ctx := context.Background()
	db, m := testenv.MeteredDynamo(t)
	if err := dynamo.EnsureTable(ctx, db, "findbound"); err != nil {
		t.Fatal(err)
	}
	log := dynamo.NewAttemptLog(db, "findbound", 24*time.Hour)
	t0 := time.Date(2025, 4, 18, 12, 0, 0, 0, time.UTC)
	log.Now = func() time.Time { return t0.Add(time.Hour) }
	body := func() string {
		b := make([]byte, 150<<10)
		rand.Read(b)
		return base64.StdEncoding.EncodeToString(b)[:150<<10]
	}
	const entries = 60 // ~9 MB: more than the bound reads
	for i := range entries {
		a := deliverylog.Attempt{DeliveryID: fmt.Sprintf("dlv_%03d", i), OrgID: "org_a", WebhookID: "wh_1", Attempt: 1,
			At: t0.Add(time.Duration(i) * time.Second), Outcome: deliverylog.OutcomeDelivered}
		if err := log.Append(ctx, a, body()); err != nil {
			t.Fatal(err)
		}
	}
	query := awsmeter.Op{Service: "DynamoDB", Operation: "Query"}
	// A page is 1 MB of items read, the last item may end past it; at 4 KB
	// a unit, halved for an eventually consistent read.
	const unitsPerPage = (1<<20 + 150<<10) / (4 << 10) / 2

	before := m.Snapshot()
	if got, err := log.FindMessage(ctx, "org_a", "wh_1", fmt.Sprintf("dlv_%03d", entries-1)); err != nil || len(got) != 150<<10 {
		t.Fatalf("newest entry: %d bytes, %v", len(got), err)
	}
	if d := m.Snapshot().Sub(before); d.Calls[query] != 1 {
		t.Errorf("newest entry: %d queries, want 1", d.Calls[query])
	}
	for _, dlv := range []string{"dlv_doesnotexist", "dlv_000"} { // made up; kept, but past the bound
		before := m.Snapshot()
		if _, err := log.FindMessage(ctx, "org_a", "wh_1", dlv); !errors.Is(err, deliverylog.ErrNotFound) {
			t.Fatalf("%s: %v, want not found", dlv, err)
		}
		d := m.Snapshot().Sub(before)
		t.Logf("FindMessage(%s) over %d entries of 150 KB: %d Query calls, %.0f read units", dlv, entries, d.Calls[query], d.ReadUnits)
		if d.Calls[query] != dynamo.MaxMessageSearchPages || d.ReadUnits > dynamo.MaxMessageSearchPages*unitsPerPage {
			t.Errorf("%s: %d queries, %.0f read units; want %d pages, at most %d units", dlv, d.Calls[query], d.ReadUnits,
				dynamo.MaxMessageSearchPages, dynamo.MaxMessageSearchPages*unitsPerPage)
		}
	}
}
