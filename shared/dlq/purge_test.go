package dlq

import (
	"context"
	"testing"

	"github.com/hookrelay/hookrelay/shared/message"
)

func TestPurgeDeletesOnlyMatches(t *testing.T) {
	f := newFixture(t, 100)
	ops := f.ops(nil)
	match := func(s seed) bool { return s.org == "org_c" && s.reason == message.ReasonPermanentStatus }
	res, err := ops.Purge(context.Background(), Filter{OrgID: "org_c", Reason: message.ReasonPermanentStatus})
	if err != nil || len(res.Unmatched) != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	n := res.Purged
	if want := len(f.bodies(match)); n != want || n == 0 {
		t.Fatalf("purged %d, want %d", n, want)
	}
	sameSet(t, "DLQ", count(drain(t, f.q, f.dlqURL)), f.bodies(func(s seed) bool { return !match(s) }))
	if got := drain(t, f.q, f.deliveryURL); len(got) != 0 {
		t.Fatalf("purge sent %d messages", len(got))
	}
}
