package dlq

import (
	"context"
	"testing"

	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// TestRedriveSendsEachDeliveryToItsOrganizationsLane: with several delivery
// lanes, every redriven dead letter lands on the lane fan-out would have
// picked for its organization, and on no other.
func TestRedriveSendsEachDeliveryToItsOrganizationsLane(t *testing.T) {
	f := newFixture(t, 30)
	api := testenv.SQSClient(t, f.endpoint)
	l := lanes.Lanes{f.deliveryURL}
	for _, name := range []string{"deliveries-1", "deliveries-2"} {
		l = append(l, testenv.Queue(t, api, name, map[string]string{"VisibilityTimeout": "30"}))
	}
	ops := New(f.q, f.dlqURL, l, nil)
	ops.Wait = 0
	want := f.bodies(func(s seed) bool { return s.deliveryID != "" })
	res, err := ops.Redrive(context.Background(), Filter{}, false, nil)
	if err != nil || res.Redriven != len(want) {
		t.Fatalf("redrive %+v, %v: want %d redriven", res, err, len(want))
	}
	var got []string
	used := map[string]bool{}
	for _, u := range l {
		for _, body := range drain(t, f.q, u) {
			d, err := message.Decode(body)
			if err != nil || l.For(d.OrgID) != u {
				t.Errorf("delivery of %s on %s, its lane is %s (%v)", d.OrgID, u, l.For(d.OrgID), err)
			}
			got, used[u] = append(got, body), true
		}
	}
	sameSet(t, "delivery lanes", count(got), want)
	if len(used) < 2 {
		t.Errorf("the fixture's organizations used %d lane(s); the test needs two", len(used))
	}
}
