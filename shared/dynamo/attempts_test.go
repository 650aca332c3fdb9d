package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

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
