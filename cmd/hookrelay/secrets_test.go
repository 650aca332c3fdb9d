package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/awssecrets"
	"github.com/hookrelay/hookrelay/shared/dynamo"
	"github.com/hookrelay/hookrelay/shared/envelope"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/secrets/secretstest"
	"github.com/hookrelay/hookrelay/shared/testenv"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

func runSecrets(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := newSecretsCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// offlineAWS sets the standard credential chain to local values and every
// AWS endpoint to a loopback server that fails the test: nothing leaves
// the machine, and a service a test does not point elsewhere is not called.
func offlineAWS(t *testing.T) {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "none")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected AWS call %s %s", r.Header.Get("X-Amz-Target"), r.URL)
		http.Error(w, "unexpected", http.StatusBadRequest)
	}))
	t.Cleanup(elsewhere.Close)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": elsewhere.URL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": empty, "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_EC2_METADATA_DISABLED": "true",
		"HOOKRELAY_TABLE": "", "HOOKRELAY_SECRET_KEY_ID": "", "HOOKRELAY_SECRET_PREFIX": "", "HOOKRELAY_SECRET_STORE": "",
	} {
		t.Setenv(k, v)
	}
}

// The command against dynalite, local-kms and the fake Secrets Manager,
// reached as a deployed stack is: the standard credential chain, with the
// endpoints from AWS_ENDPOINT_URL_*.
func TestSecretsMigrateCommand(t *testing.T) {
	db, table := testenv.Table(t)
	kmsAPI, keyID := testenv.LocalKMS(t)
	fake := testenv.NewSecretsManager(t)
	offlineAWS(t)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB": *db.Options().BaseEndpoint, "AWS_ENDPOINT_URL_KMS": *kmsAPI.Options().BaseEndpoint,
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": fake.URL,
	} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	sm := awssecrets.New(secretsmanager.NewFromConfig(testenv.AWSConfig(t), func(o *secretsmanager.Options) { o.BaseEndpoint = aws.String(fake.URL) }), "")
	env := envelope.New(awskms.New(kmsAPI, keyID), dynamo.NewSealedItems(db, table))
	hooks := dynamo.NewWebhookStore(db, table)
	want := map[string]string{}
	for _, id := range []string{"wh_1", "wh_2"} {
		want[id] = secretstest.Generate(t)
		if err := sm.Create(ctx, "org_a", id, want[id]); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if err := hooks.Create(ctx, webhook.Webhook{ID: id, OrgID: "org_a", Name: id, URL: "https://example.com/", AllEvents: true, EventTypes: []string{"*"}, Enabled: true, CreatedAt: now, UpdatedAt: now}, 10); err != nil {
			t.Fatal(err)
		}
	}
	target := []string{"migrate", "--table", table, "--kms-key", keyID}

	// Bad input changes nothing and says why.
	fake.Requests()
	for _, args := range [][]string{{"--to", "vault", "--live", "secretsmanager"}, {"--to", "envelope", "--live", "vault"}, {"--to", "envelope"},
		// A stack still on the old store alone would leave its next
		// creations behind at the switch.
		{"--to", "envelope", "--live", "secretsmanager"},
		// With a stack, only the stack says which store it runs with.
		{"--to", "envelope", "--stack", "Hookrelay", "--live", "envelope"}} {
		if out, err := runSecrets(t, append(target, args...)...); err == nil {
			t.Errorf("%v accepted: %s", args, out)
		}
	}
	if reqs := fake.Requests(); len(reqs) != 0 {
		t.Fatalf("refused commands called Secrets Manager: %v", reqs)
	}

	out, err := runSecrets(t, append(target, "--to", "envelope", "--live", "migrating-to-envelope", "--dry-run")...)
	if err != nil || !strings.Contains(out, "org_a/wh_2: would copy the secrets to envelope") || !strings.Contains(out, "dry run, nothing changed: 2 webhooks: 2 copied") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if _, err := env.Record(ctx, "org_a", "wh_1"); !errors.Is(err, secrets.ErrNotFound) {
		t.Fatalf("the dry run wrote: %v", err)
	}

	out, err = runSecrets(t, append(target, "--to", "envelope", "--live", "migrating-to-envelope")...)
	if err != nil || !strings.Contains(out, "2 webhooks: 2 copied, 2 switched to envelope, 0 old forms removed") || !strings.Contains(out, "Deploy with -c secretStore=envelope") {
		t.Fatalf("copy: %v\n%s", err, out)
	}
	out, err = runSecrets(t, append(target, "--to", "envelope", "--live", "envelope")...)
	if err != nil || !strings.Contains(out, "2 webhooks: 0 copied, 0 switched to envelope, 2 old forms removed") {
		t.Fatalf("finish: %v\n%s", err, out)
	}
	for id, secret := range want {
		secretstest.AssertActive(t, env, "org_a", id, time.Now(), secret)
		if _, err := secretstest.Active(ctx, sm, "org_a", id, time.Now()); !errors.Is(err, secrets.ErrNotFound) {
			t.Errorf("%s: still in Secrets Manager: %v", id, err)
		}
	}
	if strings.Contains(out, want["wh_1"]) {
		t.Error("the command printed a secret")
	}
}
