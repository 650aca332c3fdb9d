package main

import (
	"strings"
	"testing"
)

// A stray argument to a command that takes only flags names the command and,
// where one fits, the flag it was meant for; it is not an "unknown command".
func TestStrayArgumentsNameTheFlag(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"token org_a", `error: hookrelay token takes no arguments, only flags (got "org_a"): did you mean --org org_a?`},
		{"portal org_a", `error: hookrelay portal takes no arguments, only flags (got "org_a"): did you mean --org org_a?`},
		{"listen 9000", `error: hookrelay listen takes no arguments, only flags (got "9000"): did you mean --port 9000?`},
		{"dlq ls extra", `error: hookrelay dlq ls takes no arguments, only flags (got "extra"): see hookrelay dlq ls --help`},
		{"dev extra", `error: hookrelay dev takes no arguments, only flags (got "extra"): see hookrelay dev --help`},
		{"secrets migrate extra", `error: hookrelay secrets migrate takes no arguments, only flags (got "extra"): see hookrelay secrets migrate --help`},
	} {
		out, errOut, code := runMain(t, nil, strings.Fields(c.args)...)
		if code == 0 || !strings.HasPrefix(errOut, c.want) || out != "" {
			t.Errorf("hookrelay %s: exit %d, stdout %q, stderr %q; want exit != 0 and %q", c.args, code, out, errOut, c.want)
		}
	}
}

// An empty id is refused before the DLQ is scanned, with a message that
// says what the id is.
func TestDLQShowRefusesAnEmptyID(t *testing.T) {
	out, errOut, code := runMain(t, nil, "dlq", "show", "")
	want := "error: dlq show needs a message id or delivery id (dlv_...), not an empty one"
	if code == 0 || !strings.HasPrefix(errOut, want) || out != "" {
		t.Errorf("hookrelay dlq show \"\": exit %d, stdout %q, stderr %q; want exit != 0 and %q", code, out, errOut, want)
	}
}
