package dlq

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// A recover brings back the events an endpoint missed: the dead letter of
// a test the tenant sent (marked Test) stays in the DLQ, while a
// producer's own webhook.test, an event like any other, comes back.
func TestRecoverLeavesTheTenantsTestsInTheDLQ(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	at := f.base.Add(-time.Minute).Format(time.RFC3339)
	deadLetterATest := func(id string, tenants bool) string {
		t.Helper()
		d := message.Delivery{
			DeliveryID: id, EventID: "evt_" + id[4:], OrgID: "org_a", WebhookID: "wh_orga0", EventName: catalog.TestEvent, Test: tenants,
			Envelope: `{"id":"evt_` + id[4:] + `","event_name":"webhook.test","organization_id":"org_a","timestamp":1745000000,"data":{"message":"hi"}}`,
		}
		body, err := d.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := f.q.Send(ctx, f.dlqURL, queue.Message{Body: body, Attributes: map[string]string{
			message.AttrReason: message.ReasonPermanentStatus, message.AttrLastStatus: "400", message.AttrAttempts: "1",
			message.AttrOrgID: "org_a", message.AttrWebhookID: "wh_orga0", message.AttrEventName: catalog.TestEvent,
			message.AttrFirstAttempt: at, message.AttrLastAttempt: at,
		}}); err != nil {
			t.Fatal(err)
		}
		return body
	}
	deadLetterATest("dlv_test", true)
	ping := deadLetterATest("dlv_ping", false)
	want := f.bodies(func(s seed) bool { return s.org == "org_a" && s.webhook == "wh_orga0" && s.deliveryID != "" })
	want[ping] = true

	n, err := f.ops(nil).RedriveWebhook(ctx, "org_a", "wh_orga0", f.base.Add(-24*time.Hour))
	if err != nil || n != len(want) {
		t.Fatalf("recover: %d, %v; want the %d events (the producer's webhook.test among them), not the tenant's test", n, err, len(want))
	}
	sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), want)
	if page, err := f.ops(nil).List(ctx, Filter{IDs: []string{"dlv_test"}}, 10, ""); err != nil || len(page.Entries) != 1 {
		t.Fatalf("the tenant's test's dead letter after the recover: %d entries, %v; want it kept", len(page.Entries), err)
	}
}

// ExceptTests keeps a filter from selecting everything, and leaves out
// only dead letters whose message is marked a test: not one named
// webhook.test without the mark, nor a body that is no delivery message.
func TestExceptTestsLeavesOutOnlyMarkedTests(t *testing.T) {
	f := Filter{ExceptTests: true}
	if f.Empty() {
		t.Fatal("a filter leaving out tests is Empty: an operator's redrive would ask for all")
	}
	for _, c := range []struct {
		name string
		e    Entry
		want bool
	}{
		{"the tenant's test", Entry{EventName: catalog.TestEvent, Delivery: &message.Delivery{EventName: catalog.TestEvent, Test: true}}, false},
		{"a producer's webhook.test", Entry{EventName: catalog.TestEvent, Delivery: &message.Delivery{EventName: catalog.TestEvent}}, true},
		{"poison named webhook.test", Entry{EventName: catalog.TestEvent}, true},
	} {
		if got := f.Matches(c.e); got != c.want {
			t.Errorf("%s: Matches = %v, want %v", c.name, got, c.want)
		}
	}
}
