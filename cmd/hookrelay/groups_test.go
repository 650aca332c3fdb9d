package main

import (
	"strings"
	"testing"
)

// An unknown subcommand of a group, or an unknown help topic, is an error
// with a non-zero exit, worded as the top level words it.
func TestUnknownSubcommandsFail(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"bogus", `error: unknown command "bogus" for "hookrelay"`},
		{"dlq bogus", `error: unknown command "bogus" for "hookrelay dlq"`},
		{"secrets bogus", `error: unknown command "bogus" for "hookrelay secrets"`},
		{"webhooks bogus", `error: unknown command "bogus" for "hookrelay webhooks"`},
		{"completion bogus", `error: unknown command "bogus" for "hookrelay completion"`},
		{"help bogus", `error: unknown command "bogus" for "hookrelay"`},
		{"help dlq bogus", `error: unknown command "bogus" for "hookrelay dlq"`},
	} {
		out, errOut, code := runMain(t, nil, strings.Fields(c.args)...)
		if code == 0 || !strings.HasPrefix(errOut, c.want) || out != "" {
			t.Errorf("hookrelay %s: exit %d, stdout %q, stderr %q; want exit != 0 and %q", c.args, code, out, errOut, c.want)
		}
	}
}

// A group without arguments, and help for a real command, still print help.
func TestGroupsAndHelpStillPrintHelp(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"dlq", "hookrelay dlq [command]"},
		{"webhooks", "hookrelay webhooks [command]"},
		{"help", "hookrelay [command]"},
		{"help dlq", "hookrelay dlq [command]"},
		{"help dlq ls", "hookrelay dlq ls"},
	} {
		out, errOut, code := runMain(t, nil, strings.Fields(c.args)...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("hookrelay %s: exit %d, stdout %q, stderr %q; want help with %q", c.args, code, out, errOut, c.want)
		}
	}
}
