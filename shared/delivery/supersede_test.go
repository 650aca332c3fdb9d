package delivery

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// failingEndpoint is a webhook answering 500, its first delivery's
// message, and handle, which reports whether a receive of a message was
// done with.
func failingEndpoint(t *testing.T) (*receiver, *env, webhook.Webhook, events.SQSMessage, string, func(events.SQSMessage, int) bool) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	hook := webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true, AllEvents: true}
	e.webhooks.put(hook)
	old := sqsMessage(t, "org_a", "wh_500", "evt_1")
	handle := func(m events.SQSMessage, receive int) bool {
		t.Helper()
		resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(m, receive)}})
		if err != nil {
			t.Fatal(err)
		}
		return len(resp.BatchItemFailures) == 0
	}
	return rc, e, hook, old, deliveryIDOf(t, old), handle
}

// A resend of a delivery whose retries are pending replaces them: the
// old schedule's message is dropped when it comes back, unPOSTed, and the
// resend's gets the whole schedule, so the delivery makes 1 + 4 attempts
// and ends dead-lettered once (before, both schedules ran on one count:
// 6 POSTs and two dead letters of one delivery id).
func TestAResendSupersedesThePendingRetries(t *testing.T) {
	rc, e, hook, old, id, handle := failingEndpoint(t)

	if handle(old, 1) { // 500: retry pending
		t.Fatal("the first attempt's 500 was not retried")
	}
	if err := NewResender(e.records, e.attempts, e.queue, lanes.Lanes{testQueue}).Resend(context.Background(), hook, id); err != nil {
		t.Fatal(err)
	}
	resent := e.queue.sent[len(e.queue.sent)-1]
	if resent.queue != testQueue {
		t.Fatalf("resent to %s", resent.queue)
	}
	fresh := old
	fresh.Body, fresh.MessageId, fresh.ReceiptHandle = resent.msg.Body, "resent", "resent-receipt"

	// The old schedule's message comes back: consumed, nothing POSTed.
	if !handle(old, 2) || rc.hits.Load() != 1 {
		t.Fatalf("the superseded message: %d POSTs, want it dropped unPOSTed", rc.hits.Load())
	}
	// The resend's runs its whole schedule: attempts 1 to 4, one dead letter.
	for n := 1; n <= 4; n++ {
		if done := handle(fresh, n); done != (n == 4) {
			t.Fatalf("the resend's receive %d: done %v", n, done)
		}
		as := e.attempts.list()
		if a := as[len(as)-1]; a.Attempt != n {
			t.Fatalf("the resend's receive %d logged attempt %d", n, a.Attempt)
		}
	}
	if got := rc.hits.Load(); got != 5 {
		t.Fatalf("%d POSTs, want 5 (1 before the resend, 4 after)", got)
	}
	var dead int
	for _, a := range e.attempts.list() {
		if a.Outcome == deliverylog.OutcomeDeadLettered {
			dead++
		}
	}
	if dead != 1 {
		t.Fatalf("%d dead letters of %s, want 1", dead, id)
	}
	// Still superseded after the resend's schedule ended.
	if !handle(old, 3) || rc.hits.Load() != 5 {
		t.Fatal("the old message came back and was POSTed")
	}
}

// The resend's message may be attempted before the resend marks the
// record (it is sent first, so a crash in between leaves two schedules,
// never none): it starts at 1, and the mark that follows leaves its count.
func TestAResendAttemptedBeforeItsMarkStartsAtOne(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_500", OrgID: "org_a", URL: rc.srv.URL + "/status/500", Enabled: true, AllEvents: true})
	old := sqsMessage(t, "org_a", "wh_500", "evt_1")
	id := deliveryIDOf(t, old)
	for n := 1; n <= 2; n++ {
		if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(old, n)}}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := message.Decode(old.Body)
	if err != nil {
		t.Fatal(err)
	}
	d.Resend = 1
	fresh := old
	if fresh.Body, err = d.Encode(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(fresh, 1)}}); err != nil {
		t.Fatal(err)
	}
	if rec := e.records.get(id); rec.Attempts != 1 || rec.Resend != 1 {
		t.Fatalf("after the resend's first attempt: attempts %d, resend %d; want 1, 1", rec.Attempts, rec.Resend)
	}
	if err := e.records.Supersede(context.Background(), id, 1); err != nil {
		t.Fatal(err)
	}
	if rec := e.records.get(id); rec.Attempts != 1 {
		t.Fatalf("the late mark reset the resend's count to %d", rec.Attempts)
	}
	hits := rc.hits.Load()
	resp, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{received(old, 3)}})
	if err != nil || len(resp.BatchItemFailures) != 0 || rc.hits.Load() != hits {
		t.Fatalf("the old message after the resend's attempt: %+v, %v, %d POSTs; want dropped", resp, err, rc.hits.Load()-hits)
	}
}

// A copy of the schedule a resend replaced, on its first
// receive (its dead letter sent back by a recover or an operator's
// redrive), is attempted without a read, and the record it saved for its
// retry carried its older resend over the resend's: the resend's next
// receive then started over at attempt 1, a second schedule on one
// message, past the receives the queue's maxReceiveCount allows for with a
// long schedule. Its save is refused now; the copy comes back and is
// dropped, and the resend's count goes on.
func TestAnOlderScheduleDoesNotRestartTheResend(t *testing.T) {
	rc, e, hook, old, id, handle := failingEndpoint(t)
	lastAttempt := func() int {
		as := e.attempts.list()
		return as[len(as)-1].Attempt
	}
	handle(old, 1)
	if err := NewResender(e.records, e.attempts, e.queue, lanes.Lanes{testQueue}).Resend(context.Background(), hook, id); err != nil {
		t.Fatal(err)
	}
	fresh := old
	fresh.Body, fresh.MessageId, fresh.ReceiptHandle = e.queue.sent[len(e.queue.sent)-1].msg.Body, "resent", "resent-receipt"
	handle(fresh, 1)
	handle(fresh, 2)
	sentBack := old
	sentBack.MessageId, sentBack.ReceiptHandle = "sent-back", "sent-back-receipt"
	if handle(sentBack, 1) {
		t.Fatal("the sent-back copy's 500 ended it")
	}
	if rec := e.records.get(id); rec.Resend != 1 || rec.Attempts != 2 {
		t.Fatalf("after the older schedule's copy: record resend %d, attempts %d; want the resend's (1, 2)", rec.Resend, rec.Attempts)
	}
	handle(fresh, 3)
	if n := lastAttempt(); n != 3 {
		t.Fatalf("the resend's third receive was attempt %d, want 3", n)
	}
	hits := rc.hits.Load()
	if !handle(sentBack, 2) || rc.hits.Load() != hits {
		t.Fatal("the older schedule's copy came back and was not dropped")
	}
}

// A resend whose message is skipped (the tenant disabled
// the endpoint, or unsubscribed it) ends with neither a POST nor a dead
// letter. The dead letter of the schedule it superseded, sent back later
// by a recover, is then the delivery's only copy: it runs its schedule,
// instead of being dropped as superseded after its first attempt.
func TestASkippedResendSupersedesNothing(t *testing.T) {
	rc, e, hook, old, id, handle := failingEndpoint(t)
	for n := 1; n <= 4; n++ { // the whole schedule: a dead letter
		handle(old, n)
	}
	if err := NewResender(e.records, e.attempts, e.queue, lanes.Lanes{testQueue}).Resend(context.Background(), hook, id); err != nil {
		t.Fatal(err)
	}
	fresh := old
	fresh.Body, fresh.MessageId, fresh.ReceiptHandle = e.queue.sent[len(e.queue.sent)-1].msg.Body, "resent", "resent-receipt"
	disabled := hook
	disabled.Enabled = false
	e.webhooks.put(disabled)
	if !handle(fresh, 1) {
		t.Fatal("the resend to a disabled endpoint was not skipped")
	}
	e.webhooks.put(hook)
	sentBackRuns(t, rc, old, handle)
}

// skippingSender hands each message it sends to skip before returning:
// deliver takes the resend's message, and skips it, between its send and
// the resend's mark of the record.
type skippingSender struct {
	Sender
	skip func(body string)
}

func (s skippingSender) Send(ctx context.Context, url string, m queue.Message) error {
	if err := s.Sender.Send(ctx, url, m); err != nil {
		return err
	}
	s.skip(m.Body)
	return nil
}

// The same skip before the resend marked the record: the mark must not
// land then (it would outlive the schedule it stands for, and drop the
// recovered dead letter as superseded, with nothing left to deliver).
func TestAResendSkippedBeforeItsMarkSupersedesNothing(t *testing.T) {
	rc, e, hook, old, id, handle := failingEndpoint(t)
	for n := 1; n <= 4; n++ { // the whole schedule: a dead letter
		handle(old, n)
	}
	disabled := hook
	disabled.Enabled = false
	sender := skippingSender{Sender: e.queue, skip: func(body string) {
		e.webhooks.put(disabled)
		fresh := old
		fresh.Body, fresh.MessageId, fresh.ReceiptHandle = body, "resent", "resent-receipt"
		if !handle(fresh, 1) {
			t.Error("the resend to a disabled endpoint was not skipped")
		}
		e.webhooks.put(hook)
	}}
	if err := NewResender(e.records, e.attempts, sender, lanes.Lanes{testQueue}).Resend(context.Background(), hook, id); err != nil {
		t.Fatal(err)
	}
	if rec := e.records.get(id); rec.Resend != 0 {
		t.Fatalf("the record carries resend %d after its schedule was skipped, want no mark", rec.Resend)
	}
	sentBackRuns(t, rc, old, handle)
}

// sentBackRuns has old's dead letter sent back (a recover, a redrive) and
// received twice: each receive must POST it (a 500, retried), not drop it
// as superseded.
func sentBackRuns(t *testing.T, rc *receiver, old events.SQSMessage, handle func(events.SQSMessage, int) bool) {
	t.Helper()
	hits := rc.hits.Load()
	sentBack := old
	sentBack.MessageId, sentBack.ReceiptHandle = "sent-back", "sent-back-receipt"
	for n := 1; n <= 2; n++ {
		if handle(sentBack, n) {
			t.Fatalf("the recovered dead letter's receive %d ended it", n)
		}
	}
	if got := rc.hits.Load() - hits; got != 2 {
		t.Fatalf("the recovered dead letter was POSTed %d times in 2 receives, want 2 (not dropped as superseded)", got)
	}
}
