package dlq

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// countingQueue passes every call on to the real queue and counts it.
type countingQueue struct {
	Queue
	calls atomic.Int64
}

func (c *countingQueue) ReceiveOnce(ctx context.Context, url string, max int, wait, vis time.Duration) ([]events.SQSMessage, error) {
	c.calls.Add(1)
	return c.Queue.ReceiveOnce(ctx, url, max, wait, vis)
}

func (c *countingQueue) Send(ctx context.Context, url string, m queue.Message) error {
	c.calls.Add(1)
	return c.Queue.Send(ctx, url, m)
}

func (c *countingQueue) ChangeVisibilityBatch(ctx context.Context, url string, changes []queue.VisibilityChange) []error {
	c.calls.Add(1)
	return c.Queue.ChangeVisibilityBatch(ctx, url, changes)
}

func (c *countingQueue) Delete(ctx context.Context, url, receipt string) error {
	c.calls.Add(1)
	return c.Queue.Delete(ctx, url, receipt)
}

// FuzzAdminBodies: the admin routes that read a body (redrive, purge)
// answer 200 or a 400 with the JSON error body, never anything else; a
// body that is not exactly one JSON value is refused; and a refusal is
// decided before any queue is touched. The DLQ on goaws is empty, so an
// accepted selection acts on nothing and every iteration starts alike.
func FuzzAdminBodies(f *testing.F) {
	for _, s := range []string{
		`{"all":true,"dry_run":true}`, `{"webhook_id":"wh_x"}`, `{"all":true,"confirm":true}`, `{"confirm":true}`,
		`{"ids":["a","b"],"confirm":true}`, `{"since":"1h","tier":"endpoint","confirm":true}`, `{"org_id":"x"}`,
		`{"all":"yes"}`, `{"all":true,"confirm":true} {"x":1}`, `{"all":true,"confirm":true}x`, ``, `null`, `[]`,
		`{"organization_id":"a#b","confirm":true}`, `{"since":"-5m","confirm":true}`, "{\"reason\":\"\xff\",\"confirm\":true}",
	} {
		f.Add(s)
	}
	fx := newFixture(f, 0)
	q := &countingQueue{Queue: fx.q}
	h := NewAdminHandler(fx.opsOver(q, nil))
	f.Fuzz(func(t *testing.T, body string) {
		for _, route := range []string{"/api/v1/admin/dlq/redrive", "/api/v1/admin/dlq/purge"} {
			before := q.calls.Load()
			status, out := call(t, h, http.MethodPost, route, body)
			switch {
			case status == http.StatusOK && json.Valid([]byte(body)):
			case status == http.StatusBadRequest:
				if errorCode(out) == "" {
					t.Fatalf("%s %q: 400 without an error code: %v", route, body, out)
				}
				if n := q.calls.Load() - before; n != 0 {
					t.Fatalf("%s %q: refused after %d queue calls", route, body, n)
				}
			default:
				t.Fatalf("%s %q: answered %d %v", route, body, status, out)
			}
		}
	})
}
