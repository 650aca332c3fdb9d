package main

import (
	"strings"
	"testing"
)

const noTableWarning = "warning: no DynamoDB table (--table, --stack or HOOKRELAY_TABLE)"

// Every command says when it has no table; purge, which cannot record
// its purge for the tenants' recover without one, refuses to run.
func TestDLQWithoutATable(t *testing.T) {
	l := newLocalDLQ(t)
	l.deadLetter(t, "dlv_1", "wh_fixed")
	for _, args := range [][]string{{"ls"}, {"show", "dlv_1"}, {"redrive", "--all", "--dry-run"}} {
		if _, warn, err := runDLQ(t, args...); err != nil || !strings.HasPrefix(warn, noTableWarning) {
			t.Errorf("%v without a table: %v, stderr %q", args, err, warn)
		}
	}
	out, _, err := runDLQ(t, "purge", "--all", "--yes")
	if err == nil || out != "" || !strings.Contains(err.Error(), "purge needs the DynamoDB table (--stack, --table or HOOKRELAY_TABLE)") || !strings.Contains(err.Error(), "recover would send the purged letters again") {
		t.Fatalf("purge without a table: %v, stdout %q", err, out)
	}
	if out, _, err := runDLQ(t, "ls"); err != nil || !strings.Contains(out, "\n1 dead letter\n") {
		t.Fatalf("after the refused purge: %v\n%s", err, out)
	}

	l.withTable(t, l.endpoint)
	out, warn, err := runDLQ(t, "purge", "--all", "--yes")
	if err != nil || out != "purged 1 dead letter\n" || warn != "" {
		t.Fatalf("purge with a table: %v, stdout %q, stderr %q", err, out, warn)
	}
	if _, warn, err := runDLQ(t, "ls"); err != nil || warn != "" {
		t.Fatalf("ls with a table: %v, stderr %q", err, warn)
	}
}
