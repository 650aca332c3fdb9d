package dlq

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/queue"
)

// failingSends fails every Send: SQS refusing the delivery queue.
type failingSends struct{ Queue }

var errSendRefused = errors.New("send refused")

func (failingSends) Send(context.Context, string, queue.Message) error { return errSendRefused }

// A letter whose send failed is not held by its claim: the retry, by a
// recover or a redrive, sends it at once.
func TestAFailedSendReleasesItsLetter(t *testing.T) {
	f := newFixture(t, 1)
	f.withIndex(t)
	f.floodOf(t, "org_z", "wh_orgz0", 2)
	ctx := context.Background()
	since := f.base.Add(-time.Hour)
	if _, err := f.opsOver(failingSends{f.q}, nil).RedriveWebhook(ctx, "org_z", "wh_orgz0", since, queue.Pace{}); !errors.Is(err, errSendRefused) {
		t.Fatalf("recover whose send failed: %v", err)
	}
	res, err := f.opsOver(failingSends{f.q}, nil).Redrive(ctx, Filter{OrgID: "org_z"}, false, nil)
	if !errors.Is(err, errSendRefused) {
		t.Fatalf("redrive whose send failed: %+v, %v", res, err)
	}
	if n, err := f.ops(nil).RedriveWebhook(ctx, "org_z", "wh_orgz0", since, queue.Pace{}); err != nil || n != 2 {
		t.Fatalf("the retried recover: %d, %v; want both sent", n, err)
	}
	if got := drain(t, f.q, f.deliveryURL); len(got) != 2 {
		t.Fatalf("%d sent, want each of the 2 once", len(got))
	}
}

// A caller that stopped after its claim (a crash) leaves the letter to the
// next call once the claim ran out: meanwhile a recover says more, and a
// redrive leaves the letter in the DLQ.
func TestALetterClaimedByACrashedCallerIsSentOnceTheClaimRanOut(t *testing.T) {
	f := newFixture(t, 1)
	idx := f.withIndex(t)
	f.floodOf(t, "org_z", "wh_orgz0", 3)
	ctx := context.Background()
	since := f.base.Add(-time.Hour)
	open, _, err := idx.Open(ctx, "org_z", "wh_orgz0", since, 10)
	if err != nil || len(open) != 3 {
		t.Fatalf("open: %d, %v", len(open), err)
	}
	crashed := open[1]
	if _, err := idx.Claim(ctx, crashed.Ref(), time.Minute); err != nil {
		t.Fatal(err)
	}
	if n, err := f.ops(nil).RedriveWebhook(ctx, "org_z", "wh_orgz0", since, queue.Pace{}); !errors.Is(err, ErrMoreDeadLetters) || n != 2 {
		t.Fatalf("recover beside the claim: %d, %v; want the other 2 and ErrMoreDeadLetters", n, err)
	}
	res, err := f.ops(nil).Redrive(ctx, Filter{OrgID: "org_z"}, false, nil)
	if err != nil || res.Redriven != 0 || res.Closed != 2 || len(res.Skipped) != 1 || res.Skipped[0].Reason != heldReason {
		t.Fatalf("redrive beside the claim: %+v, %v; want the 2 recovered deleted, the claimed one skipped", res, err)
	}
	if left, err := f.ops(nil).List(ctx, Filter{OrgID: "org_z"}, 10, ""); err != nil || len(left.Entries) != 1 || left.Entries[0].Raw != crashed.Message {
		t.Fatalf("left in the DLQ: %+v, %v; want the claimed letter", left.Entries, err)
	}
	idx.Now = func() time.Time { return time.Now().Add(time.Minute) }
	if n, err := f.ops(nil).RedriveWebhook(ctx, "org_z", "wh_orgz0", since, queue.Pace{}); err != nil || n != 1 {
		t.Fatalf("recover once the claim ran out: %d, %v; want the claimed letter", n, err)
	}
	sent := count(drain(t, f.q, f.deliveryURL))
	for _, d := range open {
		if sent[d.Message] != 1 {
			t.Errorf("%s sent %d times, want once", d.DeliveryID, sent[d.Message])
		}
	}
}
