package dynamo_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

const attemptTTL = 30 * 24 * time.Hour

// expiredLog is a webhook's attempt log as AWS keeps it: the entries past
// the TTL, which AWS deletes only days later, still in the table. Newest
// first: a live entry, a run of entries written while attemptTtl was an hour
// (expired, but made within the current TTL), live entries interleaved with
// more of those, and the tail the current TTL expired. It returns the log
// reading at now and the live entries, newest first.
type expiredLog struct {
	log  *dynamo.AttemptLog
	now  time.Time
	live []deliverylog.Attempt
}

func newExpiredLog(t *testing.T, db *dynamodb.Client, table string, run, interleaved, tail int) expiredLog {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	current := dynamo.NewAttemptLog(db, table, attemptTTL)
	current.Now = clock
	hourly := dynamo.NewAttemptLog(db, table, time.Hour) // an earlier attemptTtl's entries
	hourly.Now = clock
	seq := 0
	add := func(l *dynamo.AttemptLog, at time.Time) deliverylog.Attempt {
		seq++
		a := deliverylog.Attempt{DeliveryID: fmt.Sprintf("dlv_%05d", seq), OrgID: "org_a", WebhookID: "wh_1", Attempt: 1,
			At: at, Outcome: deliverylog.OutcomeDelivered, StatusCode: 200}
		if err := l.Append(ctx, a, ""); err != nil {
			t.Fatal(err)
		}
		return a
	}
	var live []deliverylog.Attempt // oldest first while building
	// The tail: past the current TTL by up to a day.
	for i := range tail {
		add(current, now.Add(-attemptTTL-time.Duration(tail-i)*time.Minute))
	}
	// Within the TTL, every fifth entry live, the others an hour's.
	start := now.Add(-10 * 24 * time.Hour)
	for i := range interleaved {
		at := start.Add(time.Duration(i) * time.Second)
		if i%5 == 0 {
			live = append(live, add(current, at))
		} else {
			add(hourly, at)
		}
	}
	live = append(live, add(current, start.Add(time.Hour)))
	for i := range run {
		add(hourly, start.Add(2*time.Hour+time.Duration(i)*time.Second))
	}
	live = append(live, add(current, now.Add(-time.Minute)))
	for i, j := 0, len(live)-1; i < j; i, j = i+1, j-1 {
		live[i], live[j] = live[j], live[i]
	}
	// Another webhook's entries never show.
	other := deliverylog.Attempt{DeliveryID: "dlv_other", OrgID: "org_a", WebhookID: "wh_2", Attempt: 1, At: now.Add(-time.Hour), Outcome: deliverylog.OutcomeDelivered}
	if err := current.Append(ctx, other, ""); err != nil {
		t.Fatal(err)
	}
	return expiredLog{log: current, now: now, live: live}
}

// attemptCursor is a cursor written by hand: any sort key of the log's shape.
func attemptCursor(at time.Time) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%020d#dlv_x#001", at.UnixNano()))
}

// A list reads a bounded number of pages however many expired entries
// the table still holds, and a cursor written by hand cannot make it read
// more: before, each Query's Limit was what the page still lacked, counted
// before the expiry filter, and nothing bounded the round trips, so
// ?limit=1 read two expired entries a round trip, for as many as there
// were (a tenant's cursor aimed at the expired tail held an api function
// until its timeout).
func TestAttemptListReadsBoundedPagesOverExpiredEntries(t *testing.T) {
	ctx := context.Background()
	db, m := testenv.MeteredDynamo(t)
	table := fmt.Sprintf("attemptscan-%d", time.Now().UnixNano())
	if err := dynamo.EnsureTable(ctx, db, table); err != nil {
		t.Fatal(err)
	}
	l := newExpiredLog(t, db, table, 600, 0, 300)
	query := awsmeter.Op{Service: "DynamoDB", Operation: "Query"}
	list := func(what, cursor string) ([]deliverylog.Attempt, string) {
		t.Helper()
		before := m.Snapshot()
		page, next, err := l.log.List(ctx, "org_a", "wh_1", 1, cursor)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		d := m.Snapshot().Sub(before)
		t.Logf("%s: %d entries, %d Query calls, %.0f read units", what, len(page), d.Calls[query], d.ReadUnits)
		if d.Calls[query] > dynamo.MaxAttemptListPages {
			t.Errorf("%s: %d Query calls, want at most %d", what, d.Calls[query], dynamo.MaxAttemptListPages)
		}
		return page, next
	}

	// A cursor in the tail the TTL expired: nothing live follows it.
	for _, at := range []time.Time{l.now.Add(-attemptTTL), l.now.Add(-attemptTTL - 12*time.Hour)} {
		if page, next := list("cursor at "+at.Format(time.RFC3339), attemptCursor(at)); len(page) != 0 || next != "" {
			t.Errorf("cursor at %s: %d entries, next %q; want none, the end", at, len(page), next)
		}
	}

	// From the top: the live entry, then the expired run, read in bounded
	// calls that each hand back a cursor, then the last live entry.
	page, next := list("first page", "")
	if len(page) != 1 || page[0].DeliveryID != l.live[0].DeliveryID || next == "" {
		t.Fatalf("first page: %+v, next %q; want %s and a cursor", page, next, l.live[0].DeliveryID)
	}
	var got []deliverylog.Attempt
	for calls := 1; next != ""; calls++ {
		if calls > 10 {
			t.Fatal("10 calls did not read past 600 expired entries")
		}
		page, next = list(fmt.Sprintf("page %d", calls+1), next)
		got = append(got, page...)
	}
	if len(got) != 1 || got[0].DeliveryID != l.live[1].DeliveryID {
		t.Fatalf("after the expired run: %+v, want %s alone", got, l.live[1].DeliveryID)
	}
}

// Paging through a log whose live entries are interleaved with expired
// ones, behind a long expired run and before the expired tail, returns
// every live entry once, newest first, whatever the page size: a call the
// read bound stops hands back a cursor past what it read, never past an
// entry it did not return.
func TestAttemptListPagesPastExpiredEntries(t *testing.T) {
	db, table := testenv.Table(t)
	l := newExpiredLog(t, db, table, 500, 300, 100)
	for _, limit := range []int{1, 7, 20, 100} {
		var got []deliverylog.Attempt
		cursor := ""
		for calls := 0; ; calls++ {
			if calls > len(l.live)+10 {
				t.Fatalf("limit %d: %d calls and no end", limit, calls)
			}
			page, next, err := l.log.List(context.Background(), "org_a", "wh_1", limit, cursor)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > limit {
				t.Fatalf("limit %d: a page of %d", limit, len(page))
			}
			got = append(got, page...)
			if next == "" {
				break
			}
			cursor = next
		}
		if !reflect.DeepEqual(got, l.live) {
			t.Errorf("limit %d: %d entries, want the %d live ones newest first", limit, len(got), len(l.live))
			for i := range max(len(got), len(l.live)) {
				if i >= len(got) || i >= len(l.live) || got[i].DeliveryID != l.live[i].DeliveryID {
					t.Fatalf("first difference at %d", i)
				}
			}
		}
	}
}
