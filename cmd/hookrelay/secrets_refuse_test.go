package main

import (
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
)

// A refused migration prints nothing but its error: no summary and no
// advice that contradict it, and no AWS call (offlineAWS fails on one).
func TestSecretsMigrateRefusalsPrintOnlyTheError(t *testing.T) {
	offlineAWS(t)
	target := []string{"migrate", "--table", "t", "--kms-key", "k"}
	for _, c := range []struct {
		args []string
		env  string // HOOKRELAY_SECRET_STORE
		want string
	}{
		{[]string{"--to", "envelope", "--live", "secretsmanager"}, "", "deploy it with -c secretStore=migrating-to-envelope first"},
		{[]string{"--to", "envelope", "--live", "secretsmanager", "--dry-run"}, "", "deploy it with -c secretStore=migrating-to-envelope first"},
		{[]string{"--to", "secretsmanager", "--live", "envelope", "--dry-run"}, "", "deploy it with -c secretStore=migrating-to-secretsmanager first"},
		{[]string{"--to", "envelope"}, "secretsmanager", "deploy it with -c secretStore=migrating-to-envelope first"},
		// The bad value is named where it came from.
		{[]string{"--to", "envelope", "--live", "bogus"}, "envelope", `--live "bogus": must be ` + config.SecretStoreChoices},
		{[]string{"--to", "envelope"}, "bogus", `HOOKRELAY_SECRET_STORE="bogus": must be ` + config.SecretStoreChoices},
	} {
		t.Setenv(config.EnvSecretStore, c.env)
		out, err := runSecrets(t, append(target, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) || out != "" {
			t.Errorf("%v (%s=%q): %v, printed %q; want only the error %q", c.args, config.EnvSecretStore, c.env, err, out, c.want)
		}
	}
}
