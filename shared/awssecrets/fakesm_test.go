package awssecrets

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

// newStoreForTest builds the adapter the way production does, only with
// the endpoint pointed at the fake (no custom http.Client: AWS_CA_BUNDLE is set).
func newStoreForTest(t *testing.T, f *testenv.SecretsManager, prefix string) *Store {
	t.Helper()
	cfg, err := awsclient.Local(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	api := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String(f.URL)
	})
	return New(api, prefix)
}

// decodeSecretString returns the stored document's raw fields.
func decodeSecretString(t *testing.T, s string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("SecretString is not a JSON object of strings: %v", err)
	}
	return m
}

func hasValue(err error, value string) bool { return strings.Contains(err.Error(), value) }
