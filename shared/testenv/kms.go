package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/hookrelay/hookrelay/shared/awskms"
	"github.com/hookrelay/hookrelay/shared/emulator"
)

// LocalKMS starts local-kms, creates a symmetric key and returns a client
// and the key's id.
func LocalKMS(t testing.TB) (*kms.Client, string) {
	t.Helper()
	p := startEmulator(t, "local-kms", emulator.Options{DataDir: t.TempDir()}, emulator.StartKMS)
	client := KMSClient(t, p.Endpoint)
	keyID, err := awskms.EnsureAlias(context.Background(), client, "alias/hookrelay-test")
	if err != nil {
		t.Fatalf("create KMS key: %v", err)
	}
	return client, keyID
}

// KMSClient returns a client for endpoint.
func KMSClient(t testing.TB, endpoint string) *kms.Client {
	return kms.NewFromConfig(AWSConfig(t), func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
}
