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

// Without credentials a migration says so in one line, as the dlq
// commands do, before it reads anything.
func TestSecretsMigrateWithoutCredentialsSaysSoInOneLine(t *testing.T) {
	offlineAWS(t)
	noCredentials(t)
	stderr := captureStderr(t)
	out, err := runSecrets(t, "migrate", "--to", "envelope", "--table", "t", "--live", "migrating-to-envelope", "--kms-key", "k")
	if err == nil || err.Error() != errNoCredentials.Error() {
		t.Errorf("migrate without credentials: %v, want %q", err, errNoCredentials)
	}
	if printed := stderr() + out; strings.Contains(printed, "SDK") || strings.Contains(printed, "IMDS") {
		t.Errorf("the SDK printed its internals:\n%s", printed)
	}
}

// A DynamoDB that accepts the connection and never answers fails the run
// within the answer timeout, naming the service and host, instead of
// hanging it.
func TestSecretsMigrateSilentDynamoDBFails(t *testing.T) {
	offlineAWS(t)
	shortAnswerTimeout(t)
	peer := silentPeer(t)
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://"+peer)
	_, err := runSecrets(t, "migrate", "--to", "envelope", "--table", "t", "--live", "migrating-to-envelope", "--kms-key", "k", "--dry-run")
	if want := "DynamoDB at " + peer + " did not answer within " + testAnswerTimeout.String(); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("migrate against a silent DynamoDB: %v, want %q", err, want)
	}
}

// An empty flag (an unset shell variable) is refused, not taken as left
// out: --stack "" went on with the environment's table and store.
func TestSecretsMigrateRefusesEmptyFlags(t *testing.T) {
	offlineAWS(t)
	t.Setenv("HOOKRELAY_TABLE", "t")
	t.Setenv("HOOKRELAY_SECRET_STORE", "migrating-to-envelope")
	for _, flag := range []string{"--stack", "--table", "--kms-key", "--live"} {
		out, err := runSecrets(t, "migrate", "--to", "envelope", "--dry-run", flag, "")
		if want := flag + " is empty"; err == nil || !strings.Contains(err.Error(), want) || out != "" {
			t.Errorf("migrate %s \"\": %v, output %q; want only %q", flag, err, out, want)
		}
	}
}
