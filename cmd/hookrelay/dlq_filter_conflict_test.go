package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/dlq"
)

// Filters that select nothing together are refused before any queue is
// touched, by ls, redrive and purge alike, and the command fails saying
// which: not "0 dead letters", which reads as none left.
func TestDLQRefusesFiltersThatSelectNothingTogether(t *testing.T) {
	noTarget(t)
	for _, args := range [][]string{
		{"ls", "--tier", "endpoint", "--reason", "malformed_message"},
		{"redrive", "--tier", "endpoint", "--reason", "max_receive_exceeded", "--dry-run"},
		{"purge", "--tier", "endpoint", "--reason", "malformed_message", "--yes"},
	} {
		if _, _, err := runDLQ(t, args...); !errors.Is(err, dlq.ErrInvalidFilter) || !strings.Contains(err.Error(), `tier "endpoint" and reason`) {
			t.Errorf("%v: %v, want an invalid filter naming the tier and the reason", args, err)
		}
	}
	_, stderr, code := startMain(t, nil, "dlq", "ls", "--tier", "endpoint", "--reason", "max_receive_exceeded").wait(t)
	if want := `error: invalid filter: tier "endpoint" and reason "max_receive_exceeded" select nothing together`; code != 1 || !strings.HasPrefix(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
}
