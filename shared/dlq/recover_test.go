package dlq

import (
	"context"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/catalog"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// A recover brings back the events an endpoint missed: a test event's dead
// letter of the same endpoint and time stays in the DLQ.
func TestRecoverLeavesTestEventsInTheDLQ(t *testing.T) {
	f := newFixture(t, 10)
	d := message.Delivery{
		DeliveryID: "dlv_test", EventID: "evt_test", OrgID: "org_a", WebhookID: "wh_orga0", EventName: catalog.TestEvent,
		Envelope: `{"id":"evt_test","event_name":"webhook.test","organization_id":"org_a","timestamp":1745000000,"data":{"message":"hi"}}`,
	}
	body, err := d.Encode()
	if err != nil {
		t.Fatal(err)
	}
	at := f.base.Add(-time.Minute).Format(time.RFC3339)
	ctx := context.Background()
	if err := f.q.Send(ctx, f.dlqURL, queue.Message{Body: body, Attributes: map[string]string{
		message.AttrReason: message.ReasonPermanentStatus, message.AttrLastStatus: "400", message.AttrAttempts: "1",
		message.AttrOrgID: "org_a", message.AttrWebhookID: "wh_orga0", message.AttrEventName: catalog.TestEvent,
		message.AttrFirstAttempt: at, message.AttrLastAttempt: at,
	}}); err != nil {
		t.Fatal(err)
	}
	want := f.bodies(func(s seed) bool { return s.org == "org_a" && s.webhook == "wh_orga0" && s.deliveryID != "" })

	n, err := f.ops(nil).RedriveWebhook(ctx, "org_a", "wh_orga0", f.base.Add(-24*time.Hour))
	if err != nil || n != len(want) {
		t.Fatalf("recover: %d, %v; want the %d events, not the test", n, err, len(want))
	}
	sameSet(t, "delivery queue", count(drain(t, f.q, f.deliveryURL)), want)
	if page, err := f.ops(nil).List(ctx, Filter{IDs: []string{"dlv_test"}}, 10, ""); err != nil || len(page.Entries) != 1 {
		t.Fatalf("the test's dead letter after the recover: %d entries, %v; want it kept", len(page.Entries), err)
	}
}
