package delivery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// queuedCopy is one SQS message of a delivery, driven by its own receive
// count and the visibility the handler gave it.
type queuedCopy struct {
	m        events.SQSMessage
	receives int
	due      time.Time
	done     bool
}

// copiesRun drives copies of one delivery, each receive at the time its
// message becomes visible again, on a clock the handler reads, until all
// are done with; receive, if set, runs before each receive (at its time)
// and says whether the copy is still queued for it.
type copiesRun struct {
	t       *testing.T
	e       *env
	t0, now time.Time
	copies  []*queuedCopy
	receive func(c *queuedCopy) bool
}

func newCopiesRun(t *testing.T, status int, ids ...string) (*copiesRun, *[]time.Duration) {
	r := &copiesRun{t: t, t0: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	r.now = r.t0
	var mu sync.Mutex
	posts := []time.Duration{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		posts = append(posts, r.now.Sub(r.t0))
		mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	r.e = newEnv(t, testConfig(), func(d *Deps) { d.Now = func() time.Time { return r.now } })
	r.e.webhooks.put(webhook.Webhook{ID: "wh_1", OrgID: "org_a", URL: srv.URL + "/h", Enabled: true})
	base := sqsMessage(t, "org_a", "wh_1", "evt_1")
	for _, id := range ids {
		c := &queuedCopy{m: base, due: r.t0}
		c.m.MessageId = id
		r.copies = append(r.copies, c)
	}
	return r, &posts
}

// run receives the copies in the order they become visible until none is left.
func (r *copiesRun) run() {
	r.t.Helper()
	for range 100 {
		i := slices.IndexFunc(r.copies, func(c *queuedCopy) bool { return !c.done })
		if i < 0 {
			return
		}
		c := r.copies[i]
		for _, x := range r.copies[i+1:] {
			if !x.done && x.due.Before(c.due) {
				c = x
			}
		}
		r.now = c.due
		if r.receive != nil && !r.receive(c) {
			c.done = true
			continue
		}
		c.receives++
		c.m.ReceiptHandle = fmt.Sprintf("%s-%d", c.m.MessageId, c.receives)
		c.m.Attributes = map[string]string{message.AttrReceiveCount: strconv.Itoa(c.receives),
			"SentTimestamp": strconv.FormatInt(r.t0.UnixMilli(), 10)}
		seen := len(r.e.queue.visibility)
		resp, _ := r.e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{c.m}})
		if len(resp.BatchItemFailures) == 0 {
			c.done = true
			continue
		}
		if len(r.e.queue.visibility) == seen {
			r.t.Fatalf("%s receive %d: a batch item failure without a visibility", c.m.MessageId, c.receives)
		}
		c.due = r.now.Add(r.e.queue.visibility[len(r.e.queue.visibility)-1].delay)
	}
	r.t.Fatal("the copies did not leave the queue in 100 receives")
}

func (r *copiesRun) deadLetters() int {
	n := 0
	for _, s := range r.e.queue.sent {
		if s.queue == testDLQ {
			n++
		}
	}
	return n
}

// Two queued copies of one delivery (a fan-out that queued an event again
// after a partial batch failure, an idempotent publish retried): one copy
// owns the attempt count and runs the whole schedule; the other is dropped
// once its first save finds the count owned, so the delivery is
// dead-lettered once, after the schedule's last step, not once per copy
// before it.
func TestDuplicateCopiesRunOneSchedule(t *testing.T) {
	r, posts := newCopiesRun(t, http.StatusServiceUnavailable, "copy-A", "copy-B")
	r.run()
	// Default schedule 30s, 60s, 120s with jitter at its 10 % maximum: one
	// copy POSTs at 0, 33s, 99s, 231s; the other once more at 0 at most.
	want := []time.Duration{0, 0, 33 * time.Second, 99 * time.Second, 231 * time.Second}
	if !slices.Equal(*posts, want) {
		t.Errorf("POSTs at %v, want %v (one schedule, plus the other copy's first POST)", *posts, want)
	}
	if n := r.deadLetters(); n != 1 {
		t.Errorf("%d dead letters, want 1", n)
	}
	var numbers []int
	for _, a := range r.e.attempts.list() {
		numbers = append(numbers, a.Attempt)
	}
	if want := []int{1, 1, 2, 3, 4}; !slices.Equal(numbers, want) {
		t.Errorf("attempt log numbers %v, want %v", numbers, want)
	}
	if !strings.Contains(r.e.logs.String(), `"msg":"delivery dropped: another copy of it carries its retries"`) {
		t.Errorf("the dropped copy was not logged:\n%s", r.e.logs.String())
	}
	// The refused save is not tried again on the same receive.
	if n := strings.Count(r.e.logs.String(), `"msg":"attempt count not recorded: another copy of it carries its retries"`); n != 1 {
		t.Errorf("the refused save was logged %d times, want once", n)
	}
}

// A copy refused because its sibling owned the count is not dropped once
// that count was started over: the sibling left the queue and a recover
// reset the record and queued the delivery again (copy C). The refused
// copy B then owns the count and runs the schedule; C's first save finds
// it owned and C is dropped. One schedule, one dead letter, nothing lost.
func TestRefusedCopyRunsWhenTheCountStartsOver(t *testing.T) {
	r, posts := newCopiesRun(t, http.StatusServiceUnavailable, "copy-A", "copy-B")
	r.receive = func(c *queuedCopy) bool {
		if c.m.MessageId != "copy-A" || c.receives != 1 {
			return true
		}
		if err := r.e.records.ResetAttempts(context.Background(), "dlv_11"); err != nil {
			t.Fatal(err)
		}
		recovered := &queuedCopy{m: c.m, due: r.now}
		recovered.m.MessageId = "copy-C"
		r.copies = append(r.copies, recovered)
		return false
	}
	r.run()
	want := []time.Duration{0, 0, 33 * time.Second, 33 * time.Second, 66 * time.Second, 132 * time.Second, 264 * time.Second}
	if !slices.Equal(*posts, want) {
		t.Errorf("POSTs at %v, want %v (B's schedule from t+33s, C's first POST)", *posts, want)
	}
	if n := r.deadLetters(); n != 1 {
		t.Errorf("%d dead letters, want 1", n)
	}
}

// A dead letter's owner lets go of the count: a copy sent back after it
// without a reset of the count (a redrive by a CLI without the table, a
// move by SQS itself) is not taken for a duplicate of the schedule that
// ended, and runs a schedule of its own.
func TestCopySentBackAfterADeadLetterRuns(t *testing.T) {
	r, posts := newCopiesRun(t, http.StatusServiceUnavailable, "copy-A")
	r.run()
	sentBack := &queuedCopy{m: r.copies[0].m, due: r.now.Add(time.Minute)}
	sentBack.m.MessageId = "sent-back"
	r.copies = append(r.copies, sentBack)
	r.run()
	if n := r.deadLetters(); n != 2 {
		t.Errorf("%d dead letters, want 2 (the copy sent back ran its schedule)", n)
	}
	if len(*posts) != 8 {
		t.Errorf("POSTs at %v, want two whole schedules", *posts)
	}
}
