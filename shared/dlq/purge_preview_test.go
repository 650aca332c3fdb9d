package dlq

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/queue"
)

// A purge's dry run counts what it would delete and, of that, what the
// tenants' recover would otherwise send back, by organization; it changes
// nothing. A letter its tenant recovered already is no
// longer counted as theirs.
func TestPreviewPurgeNamesTheTenantsItWouldTakeLettersFrom(t *testing.T) {
	f := newFixture(t, 30)
	f.withIndex(t)
	ops := f.ops(nil)
	ctx := context.Background()
	permanent := func(s seed) bool { return s.reason == message.ReasonPermanentStatus }
	want := len(f.bodies(permanent))
	p, err := ops.PreviewPurge(ctx, Filter{Reason: message.ReasonPermanentStatus})
	if err != nil || p.Matched != want || p.Recoverable != want || !slices.Equal(p.RecoverableOrgs, fixtureOrgs) {
		t.Fatalf("preview: %+v, %v; want %d matched, all recoverable, orgs %v", p, err, want, fixtureOrgs)
	}

	// org_a recovers its webhook wh_orga1: its letters are closed.
	if _, err := ops.RedriveWebhook(ctx, "org_a", "wh_orga1", f.base.Add(-24*time.Hour), queue.Pace{}); err != nil {
		t.Fatal(err)
	}
	recovered := 0
	for _, s := range f.seeds {
		if permanent(s) && s.org == "org_a" && s.webhook == "wh_orga1" {
			recovered++
		}
	}
	p, err = ops.PreviewPurge(ctx, Filter{Reason: message.ReasonPermanentStatus})
	if err != nil || p.Matched != want || p.Recoverable != want-recovered || recovered == 0 {
		t.Fatalf("preview after org_a's recover of %d: %+v, %v", recovered, p, err)
	}
	sameSet(t, "DLQ after the previews", count(drain(t, f.q, f.dlqURL)), f.bodies(func(seed) bool { return true }))
}
