package delivery

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func TestResend(t *testing.T) {
	ctx := context.Background()
	recs, log, q := newMemRecords(), &memAttempts{}, &memQueue{}
	// A retried delivery has a record; a first-attempt success only its
	// attempt log entry with the body.
	retried := sqsMessage(t, "org_a", "wh_1", "evt_1")
	d, _ := message.Decode(retried.Body)
	recs.Save(ctx, deliverylog.DeliveryRecord{DeliveryID: d.DeliveryID, OrgID: "org_a", WebhookID: "wh_1", Message: retried.Body, Attempts: 4})
	once := sqsMessage(t, "org_a", "wh_1", "evt_2")
	d2, _ := message.Decode(once.Body)
	log.Append(ctx, deliverylog.Attempt{DeliveryID: d2.DeliveryID, OrgID: "org_a", WebhookID: "wh_1", Attempt: 1}, once.Body)
	r := NewResender(recs, log, q, lanes.Lanes{testQueue})
	hook := func(org, id string, types ...string) webhook.Webhook {
		return webhook.Webhook{OrgID: org, ID: id, EventTypes: types}
	}

	for _, c := range []struct{ org, wh, id string }{
		{"org_b", "wh_1", d.DeliveryID}, {"org_a", "wh_2", d.DeliveryID}, {"org_a", "wh_1", "dlv_missing"},
		{"org_b", "wh_1", d2.DeliveryID}, {"org_a", "wh_2", d2.DeliveryID},
	} {
		if err := r.Resend(ctx, hook(c.org, c.wh, "emailClick"), c.id); !errors.Is(err, deliverylog.ErrNotFound) {
			t.Errorf("Resend(%s, %s, %s) = %v, want ErrNotFound", c.org, c.wh, c.id, err)
		}
	}
	// The webhook dropped emailClick since: refused with the type named,
	// rather than queued for deliver to skip.
	for _, id := range []string{d.DeliveryID, d2.DeliveryID} {
		var ns *webhook.NotSubscribedError
		if err := r.Resend(ctx, hook("org_a", "wh_1", "emailOpen"), id); !errors.As(err, &ns) || ns.EventName != "emailClick" {
			t.Errorf("Resend of %s to a webhook that dropped emailClick = %v, want a NotSubscribedError", id, err)
		}
	}
	if len(q.sent) != 0 || recs.get(d.DeliveryID).Attempts != 4 {
		t.Fatal("a refused resend changed state")
	}
	if err := r.Resend(ctx, hook("org_a", "wh_1", "emailClick"), d.DeliveryID); err != nil {
		t.Fatal(err)
	}
	// The resend's message is the retried one's, marked the first resend,
	// and the record now counts that schedule from 0.
	want := d
	want.Resend = 1
	if len(q.sent) != 1 || q.sent[0].queue != testQueue {
		t.Fatalf("sent %+v", q.sent)
	}
	if got, err := message.Decode(q.sent[0].msg.Body); err != nil || got != want {
		t.Fatalf("resent %+v, %v; want %+v", got, err, want)
	}
	if rec := recs.get(d.DeliveryID); rec.Attempts != 0 || rec.Resend != 1 {
		t.Fatalf("record after the resend: attempts %d, resend %d; want 0, 1", rec.Attempts, rec.Resend)
	}
	if err := r.Resend(ctx, webhook.Webhook{OrgID: "org_a", ID: "wh_1", EventTypes: []string{webhook.AllEvents}, AllEvents: true}, d2.DeliveryID); err != nil {
		t.Fatal(err)
	}
	if len(q.sent) != 2 || q.sent[1].msg.Body != once.Body {
		t.Fatalf("sent %+v, want the body kept on the attempt entry", q.sent)
	}
}

func TestSendTest(t *testing.T) {
	q, log := &memQueue{}, &memAttempts{}
	r := NewResender(newMemRecords(), log, q, lanes.Lanes{testQueue})
	now := time.Unix(1745000000, 0)
	r.Now = func() time.Time { return now }
	id, err := r.SendTest(context.Background(), webhook.Webhook{ID: "wh_1", OrgID: "org_a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.sent) != 1 || q.sent[0].queue != testQueue {
		t.Fatalf("sent %+v", q.sent)
	}
	d, err := message.Decode(q.sent[0].msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	if d.DeliveryID != id || id != ids.Delivery(d.EventID, "wh_1") || !ids.Valid(ids.EventPrefix, d.EventID) ||
		d.WebhookID != "wh_1" || d.OrgID != "org_a" || d.EventName != "webhook.test" || !d.Test {
		t.Fatalf("message %+v, id %s", d, id)
	}
	want := `{"id":"` + d.EventID + `","event_name":"webhook.test","organization_id":"org_a","timestamp":1745000000,` +
		`"data":{"message":"This is a test event.","webhook_id":"wh_1"}}`
	if d.Envelope != want {
		t.Fatalf("envelope\n %s\nwant\n %s", d.Envelope, want)
	}

	// Its resend goes whatever the webhook subscribes to, as the test did.
	ctx := context.Background()
	if err := log.Append(ctx, deliverylog.Attempt{DeliveryID: id, OrgID: "org_a", WebhookID: "wh_1", Attempt: 1}, q.sent[0].msg.Body); err != nil {
		t.Fatal(err)
	}
	if err := r.Resend(ctx, webhook.Webhook{ID: "wh_1", OrgID: "org_a", EventTypes: []string{"emailOpen"}}, id); err != nil ||
		len(q.sent) != 2 || q.sent[1].msg.Body != q.sent[0].msg.Body {
		t.Fatalf("resend of the test: %v, sent %d", err, len(q.sent))
	}
}
