package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// A header brand that cannot be part of a header name ("X-Acme Corp-Signature")
// stops listen before it listens, from --prefix or from the environment,
// instead of checking a header no delivery can carry.
func TestListenRefusesAnInvalidHeaderPrefix(t *testing.T) {
	t.Setenv(devstate.EnvDataDir, t.TempDir()) // no running make dev
	t.Setenv(envListenSecret, secretstest.Generate(t))
	for _, c := range []struct {
		name, env string
		args      []string
		source    string // the error names where the prefix came from
	}{
		{"--prefix", "", []string{"--prefix", "Acme Corp"}, "--prefix: "},
		{"the environment's", "Acme Corp", nil, config.EnvHeaderPrefix + ": "},
		{"--prefix with a colon", "", []string{"--prefix", "Acme:"}, "--prefix: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(config.EnvHeaderPrefix, c.env)
			cmd := newListenCmd()
			out := &testenv.Buffer{}
			cmd.SetArgs(append([]string{"--port", "0"}, c.args...))
			cmd.SetOut(out)
			cmd.SetErr(out)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := cmd.ExecuteContext(ctx)
			if err == nil || !strings.Contains(err.Error(), "X-<prefix>-Signature") || !strings.HasPrefix(err.Error(), c.source) || strings.Contains(out.String(), "Listening on") {
				t.Fatalf("listen = %v, want a refusal of the prefix before listening\n%s", err, out.String())
			}
		})
	}
}
