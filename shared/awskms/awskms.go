// Package awskms is the KMS adapter: envelope.KeyService over
// GenerateDataKey and Decrypt, both with the encryption context
// {"org": orgID, "webhook": webhookID} that the IAM grants require.
package awskms

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/hookrelay/hookrelay/shared/envelope"
)

// Encryption context keys. The IAM policy conditions name them
// (kms:EncryptionContextKeys, kms:EncryptionContext:org).
const (
	ContextOrg     = "org"
	ContextWebhook = "webhook"
)

// KeyService generates and decrypts data keys under one KMS key.
type KeyService struct {
	api   *kms.Client
	keyID string // key id, ARN or alias
}

var _ envelope.KeyService = (*KeyService)(nil)

// New uses the KMS key keyID.
func New(api *kms.Client, keyID string) *KeyService {
	return &KeyService{api: api, keyID: keyID}
}

func encryptionContext(orgID, webhookID string) map[string]string {
	return map[string]string{ContextOrg: orgID, ContextWebhook: webhookID}
}

// GenerateDataKey returns a fresh AES-256 key and its ciphertext.
func (k *KeyService) GenerateDataKey(ctx context.Context, orgID, webhookID string) ([]byte, []byte, error) {
	out, err := k.api.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
		KeyId:             aws.String(k.keyID),
		KeySpec:           types.DataKeySpecAes256,
		EncryptionContext: encryptionContext(orgID, webhookID),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("kms: generate data key: %w", err)
	}
	if len(out.Plaintext) != 32 || len(out.CiphertextBlob) == 0 {
		return nil, nil, errors.New("kms: generate data key: answer without a 32-byte key")
	}
	return out.Plaintext, out.CiphertextBlob, nil
}

// Decrypt returns the data key. KeyId is passed so a ciphertext made
// under another key is refused rather than decrypted with it.
func (k *KeyService) Decrypt(ctx context.Context, orgID, webhookID string, encrypted []byte) ([]byte, error) {
	out, err := k.api.Decrypt(ctx, &kms.DecryptInput{
		KeyId:             aws.String(k.keyID),
		CiphertextBlob:    encrypted,
		EncryptionContext: encryptionContext(orgID, webhookID),
	})
	if err != nil {
		return nil, fmt.Errorf("kms: decrypt data key: %w", err)
	}
	return out.Plaintext, nil
}
