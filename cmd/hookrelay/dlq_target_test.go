package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/devstate"
)

// Target flags that would be ignored (the command then acting on the
// running make dev) are refused, before any stack or queue is looked at.
func TestDLQRefusesIgnoredTargetFlags(t *testing.T) {
	noTarget(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ls", "--queue-url", "https://sqs.eu-west-1.amazonaws.com/1/q"}, "--queue-url needs --dlq-url or --stack"},
		{[]string{"ls", "--table", "hookrelay"}, "--table needs --dlq-url or --stack"},
		{[]string{"redrive", "--all", "--table", "hookrelay"}, "--table needs --dlq-url or --stack"},
		{[]string{"ls", "--stack", ""}, "--stack is empty"},
		{[]string{"purge", "--all", "--yes", "--stack", " "}, "--stack is empty"},
		{[]string{"show", "dlv_1", "--dlq-url", ""}, "--dlq-url is empty"},
	} {
		_, _, err := runDLQ(t, c.args...)
		if err == nil || errors.Is(err, devstate.ErrNotRunning) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want a refusal with %q", c.args, err, c.want)
		}
	}
}
