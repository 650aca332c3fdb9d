package dynamo_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hookrelay/hookrelay/shared/awsmeter"
	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestParkedStore(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewParkedStore(db, table, time.Hour)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return t0 }
	park := func(org, wh string, i int, at time.Time) deliverylog.Parked {
		p := deliverylog.Parked{OrgID: org, WebhookID: wh, DeliveryID: fmt.Sprintf("dlv_%02d", i), SentAt: at, ParkedAt: at, Message: fmt.Sprintf(`{"n":%d}`, i)}
		if err := s.Park(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Parked out of order, and with the fraction-less second that
	// RFC3339Nano would sort after its own fractions.
	park("org_a", "wh_1", 3, t0.Add(time.Second+500*time.Millisecond))
	park("org_a", "wh_1", 1, t0)
	park("org_a", "wh_1", 2, t0.Add(time.Second))
	park("org_a", "wh_1", 4, t0.Add(time.Minute))
	park("org_a", "wh_2", 9, t0) // another webhook
	park("org_b", "wh_1", 8, t0) // another org

	ids := func(ps []deliverylog.Parked) (out []string) {
		for _, p := range ps {
			out = append(out, p.DeliveryID)
		}
		return out
	}
	all, _, err := s.Since(ctx, "org_a", "wh_1", time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(all)); got != "[dlv_01 dlv_02 dlv_03 dlv_04]" {
		t.Fatalf("oldest first: %s", got)
	}
	if all[2].Message != `{"n":3}` || !all[2].SentAt.Equal(t0.Add(1500*time.Millisecond)) || !all[2].ParkedAt.Equal(all[2].SentAt) || all[2].OrgID != "org_a" || all[2].WebhookID != "wh_1" {
		t.Fatalf("round trip: %+v", all[2])
	}
	page, _, err := s.Since(ctx, "org_a", "wh_1", t0.Add(time.Second), 2)
	if err != nil || fmt.Sprint(ids(page)) != "[dlv_02 dlv_03]" {
		t.Fatalf("since +1s, 2: %v, %v", ids(page), err)
	}
	if removed, err := s.Unpark(ctx, all[0]); err != nil || !removed {
		t.Fatalf("unpark: %v, %v; want removed", removed, err)
	}
	if removed, err := s.Unpark(ctx, all[0]); err != nil || removed {
		t.Fatalf("unpark twice: %v, %v; want no error, nothing removed", removed, err)
	}
	// An hour later every item is past its TTL: absent, though dynalite keeps it.
	s.Now = func() time.Time { return t0.Add(time.Hour) }
	if left, _, err := s.Since(ctx, "org_a", "wh_1", time.Time{}, 10); err != nil || len(left) != 0 {
		t.Fatalf("expired items listed: %v, %v", ids(left), err)
	}
	s.Now = func() time.Time { return t0 }
	if left, _, _ := s.Since(ctx, "org_a", "wh_1", time.Time{}, 10); fmt.Sprint(ids(left)) != "[dlv_02 dlv_03 dlv_04]" {
		t.Fatalf("after unpark: %v", ids(left))
	}
}

// A recover's since compares when a delivery was parked, not sent: a retry
// of a delivery sent before the endpoint's failure run began is parked
// after the disable, and must come back with the run's recover.
func TestParkedSinceCountsTheParkTime(t *testing.T) {
	db, table := testenv.Table(t)
	s := dynamo.NewParkedStore(db, table, 30*24*time.Hour)
	ctx := context.Background()
	failingSince := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return failingSince }
	for _, p := range []deliverylog.Parked{
		// Received at the end of its queue's retention, after a batching window.
		{DeliveryID: "dlv_at_retention", SentAt: failingSince.Add(-96*time.Hour - 4*time.Minute), ParkedAt: failingSince.Add(time.Minute)},
		{DeliveryID: "dlv_sent_before_run", SentAt: failingSince.Add(-26 * time.Hour), ParkedAt: failingSince.Add(2 * time.Hour)},
		{DeliveryID: "dlv_in_run", SentAt: failingSince.Add(time.Hour), ParkedAt: failingSince.Add(2 * time.Hour)},
		{DeliveryID: "dlv_parked_before", SentAt: failingSince.Add(-3 * time.Hour), ParkedAt: failingSince.Add(-time.Hour)},
	} {
		p.OrgID, p.WebhookID, p.Message = "org_a", "wh_1", "{}"
		if err := s.Park(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// An item parked before parked_at was stored: its send time stands in.
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: "PARK#org_a#wh_1"}, "sk": &types.AttributeValueMemberS{Value: "2026-11-20T09:30:00.000000000Z#dlv_legacy"},
		"delivery_id": &types.AttributeValueMemberS{Value: "dlv_legacy"}, "message": &types.AttributeValueMemberS{Value: "{}"},
		"expires_at": &types.AttributeValueMemberN{Value: fmt.Sprint(failingSince.Add(time.Hour).Unix())},
	}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for { // pages of one, each unparked, as a recover's "more" continues
		page, more, err := s.Since(ctx, "org_a", "wh_1", failingSince, 1)
		if err != nil || more {
			t.Fatal(more, err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page[0].DeliveryID)
		if _, err := s.Unpark(ctx, page[0]); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(got) != "[dlv_at_retention dlv_sent_before_run dlv_legacy dlv_in_run]" {
		t.Fatalf("parked since the run began, oldest sent first: %v", got)
	}
}

// A recover must look through the deliveries sent in the 4 days before its
// since, and those parked before since (an earlier disable's, kept 7 days)
// are read and left there. One call reads at most MaxParkedPages pages of
// them, whatever their bodies; it says more, and the next call with the
// same since continues after what it read instead of reading it again, so
// a run of calls gets to the deliveries after them, oldest sent first.
func TestParkedSinceReadsBoundedPages(t *testing.T) {
	ctx := context.Background()
	db, m := testenv.MeteredDynamo(t)
	if err := dynamo.EnsureTable(ctx, db, "parkbound"); err != nil {
		t.Fatal(err)
	}
	s := dynamo.NewParkedStore(db, "parkbound", 7*24*time.Hour)
	since := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return since.Add(time.Hour) }
	big := func() string {
		b := make([]byte, 150<<10)
		rand.Read(b)
		return base64.StdEncoding.EncodeToString(b) // 200 KB
	}
	park := func(id string, sent, parked time.Time, msg string) {
		if err := s.Park(ctx, deliverylog.Parked{OrgID: "org_a", WebhookID: "wh_1", DeliveryID: id, SentAt: sent, ParkedAt: parked, Message: msg}); err != nil {
			t.Fatal(err)
		}
	}
	const before = 60 // ~12 MB parked before since, in the range a recover looks through
	for i := range before {
		sent := since.Add(-72*time.Hour + time.Duration(i)*time.Minute)
		park(fmt.Sprintf("dlv_before%02d", i), sent, sent.Add(time.Second), big())
	}
	park("dlv_retry", since.Add(-time.Hour), since.Add(time.Minute), `{"n":1}`) // sent before since, parked after
	park("dlv_after1", since.Add(2*time.Minute), since.Add(2*time.Minute), `{"n":2}`)
	park("dlv_after2", since.Add(3*time.Minute), since.Add(3*time.Minute), `{"n":3}`)

	query := awsmeter.Op{Service: "DynamoDB", Operation: "Query"}
	// A page is 1 MB of items read, the last item may end past it; at 4 KB
	// a consistent read unit.
	const unitsPerPage = (1<<20 + 200<<10) / (4 << 10)
	// unpark does what recover does with a call's deliveries once queued.
	unpark := func(page []deliverylog.Parked) (ids []string) {
		for _, p := range page {
			ids = append(ids, p.DeliveryID)
			if _, err := s.Unpark(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		return ids
	}
	// run calls Since as recover's "more" run does, unparking what each
	// call returns, until a call says no more.
	run := func(since time.Time) (got []string, calls int) {
		for more := true; more; calls++ {
			if calls == 5 {
				t.Fatalf("no end after %d calls: %v", calls, got)
			}
			b := m.Snapshot()
			page, next, err := s.Since(ctx, "org_a", "wh_1", since, 1001)
			if err != nil {
				t.Fatal(err)
			}
			d := m.Snapshot().Sub(b)
			t.Logf("call %d: %d kept, more=%v, %d Query calls, %.0f read units", calls+1, len(page), next, d.Calls[query], d.ReadUnits)
			if d.Calls[query] > dynamo.MaxParkedPages || d.ReadUnits > dynamo.MaxParkedPages*unitsPerPage+2 {
				t.Errorf("call %d: %d queries, %.0f read units; want at most %d pages", calls+1, d.Calls[query], d.ReadUnits, dynamo.MaxParkedPages)
			}
			got = append(got, unpark(page)...)
			more = next
		}
		return got, calls
	}
	if got, calls := run(since); fmt.Sprint(got) != "[dlv_retry dlv_after1 dlv_after2]" || calls != 2 {
		t.Fatalf("got %v in %d calls; want the 3 parked since, oldest sent first, in 2", got, calls)
	}
	// That run read to the end, so the next run with this since starts
	// over: a delivery sent long before, parked after since, is found
	// though it lies before where the first call stopped. A call that kept
	// one leaves its position there (were the queueing to fail, the next
	// call must not skip it), so the next reads the pages after it again:
	// three calls.
	park("dlv_late", since.Add(-72*time.Hour+30*time.Second), since.Add(time.Hour), `{"n":4}`)
	if got, calls := run(since); fmt.Sprint(got) != "[dlv_late]" || calls != 3 {
		t.Fatalf("a later run: %v in %d calls; want dlv_late in 3", got, calls)
	}
	// Another since starts over: the position serves its own since only.
	if page, more, err := s.Since(ctx, "org_a", "wh_1", since.Add(-72*time.Hour+time.Second), 1001); err != nil || !more || len(page) == 0 || page[0].DeliveryID != "dlv_before00" {
		t.Fatalf("another since: %d kept (first %v), more=%v, %v; want the earliest, and more", len(page), page, more, err)
	}

	// Two runs with different since values, their calls interleaved (two
	// tabs, or a tenant and a script): each keeps its own position, so
	// neither sets the other back and both end, the delivery parked
	// since both returned once.
	park("dlv_both", since.Add(-time.Hour), since.Add(2*time.Hour), `{"n":5}`)
	runs := []struct {
		since time.Time
		done  bool
		calls int
	}{{since: since.Add(time.Minute)}, {since: since.Add(2 * time.Minute)}}
	var got []string
	for !runs[0].done || !runs[1].done {
		for i := range runs {
			r := &runs[i]
			if r.done {
				continue
			}
			if r.calls++; r.calls > 4 {
				t.Fatalf("run with since %s: no end after %d calls (got %v)", r.since.Format(time.RFC3339), r.calls-1, got)
			}
			page, more, err := s.Since(ctx, "org_a", "wh_1", r.since, 1001)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, unpark(page)...)
			r.done = !more
		}
	}
	if fmt.Sprint(got) != "[dlv_both]" {
		t.Fatalf("interleaved runs returned %v, want dlv_both once", got)
	}

	// A delivery parked behind a run while it goes on (it read the endpoint
	// as disabled just before the recover enabled it) moves the run's
	// position back, so a later call of the same run reads it: the run does
	// not end with it still parked.
	later := since.Add(3 * time.Hour)
	if page, more, err := s.Since(ctx, "org_a", "wh_1", later, 1001); err != nil || !more || len(page) != 0 {
		t.Fatalf("first call: %d kept, more=%v, %v; want none kept and more (the read bound)", len(page), more, err)
	}
	park("dlv_behind", since.Add(-72*time.Hour+5*time.Minute+30*time.Second), later.Add(time.Minute), `{"n":6}`)
	if got, _ := run(later); fmt.Sprint(got) != "[dlv_behind]" {
		t.Fatalf("the run's later calls returned %v, want the delivery parked behind it", got)
	}
}
