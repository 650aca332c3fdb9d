package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/dlq"
)

// One of a thing is singular in what the commands print; the e2e quick
// start test matches "redriven 1 of 1 matching dead letter" and "0 dead letters".
func TestOutputCountsOneInTheSingular(t *testing.T) {
	var b bytes.Buffer
	for _, c := range []struct {
		write func()
		want  string
	}{
		{func() { writeRedriveResult(&b, dlq.Result{Matched: 1, Redriven: 1}) }, "redriven 1 of 1 matching dead letter\n"},
		{func() { writeRedriveResult(&b, dlq.Result{Matched: 2, Redriven: 1}) }, "redriven 1 of 2 matching dead letters\n"},
		{func() { writeRedriveResult(&b, dlq.Result{DryRun: true, Matched: 1, Eligible: 1}) }, "dry run: 1 dead letter matches, 1 would be redriven\n"},
		{func() { writeRedriveResult(&b, dlq.Result{DryRun: true, Matched: 3, Eligible: 2}) }, "dry run: 3 dead letters match, 2 would be redriven\n"},
		{func() { writeRedriveResult(&b, dlq.Result{DryRun: true, Matched: 3, Eligible: 3, Closed: 2}) }, "dry run: 3 dead letters match, 1 would be redriven\nwould delete 2 dead letters unsent: sent back already (by their tenants' recover or an earlier run)\n"},
		{func() { writeRedriveResult(&b, dlq.Result{Matched: 3, Redriven: 1, Closed: 2}) }, "redriven 1 of 3 matching dead letters\ndeleted 2 dead letters unsent: sent back already (by their tenants' recover or an earlier run)\n"},
		{func() { _ = writeEntriesTable(&b, []dlq.Entry{{MessageID: "m1"}}, false, 2, time.Now()) }, "\n1 dead letter\n"},
		{func() { _ = writeEntriesTable(&b, nil, false, 0, time.Now()) }, "\n0 dead letters\n"},
		{func() { _ = writeEntriesTable(&b, nil, false, 1, time.Now()) }, "\n0 dead letters to act on; 1 copy left out, sent back already by their tenants' recover (or an earlier redrive): a redrive with the same selection deletes them unsent\n"},
		{func() { _ = writeEntriesTable(&b, nil, false, 9, time.Now()) }, "\n0 dead letters to act on; 9 copies left out, sent back already by their tenants' recover (or an earlier redrive): a redrive with the same selection deletes them unsent\n"},
		{func() { _ = writeEntriesTable(&b, []dlq.Entry{{MessageID: "m1"}}, true, 0, time.Now()) }, "\n1 dead letter on this page, more follow\n"},
	} {
		b.Reset()
		if c.write(); !strings.HasSuffix(b.String(), c.want) {
			t.Errorf("printed %q, want it to end in %q", b.String(), c.want)
		}
	}
}

func TestRecoverCountsOneDelivery(t *testing.T) {
	api := fakeAPI(t, "x") // answers queued: 1, the length of its name
	out, err := runCmd(t, newWebhooksCmd(), "recover", "wh_1", "--since", "1h", "--api", api.URL, "--token", "t")
	if err != nil || !strings.HasPrefix(out, "queued 1 delivery (0 dead-lettered, 0 parked) since ") {
		t.Fatalf("recover: %q, %v", out, err)
	}
}
