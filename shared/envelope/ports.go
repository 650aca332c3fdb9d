// Package envelope is the secrets.Store of `secretStore=envelope`: each
// webhook's secrets.Record sealed with AES-256-GCM under a data key that
// KMS generated for that webhook alone (encryption context {org, webhook}),
// kept with the encrypted data key on the webhook's DynamoDB item. It
// holds no AWS SDK: KMS is the KeyService port (adapter shared/awskms),
// the item the Sealed port (adapter shared/dynamo).
package envelope

import (
	"context"
	"errors"
)

// KeyService generates and decrypts a webhook's data key. Both calls bind
// the key to the webhook with the encryption context {org, webhook}, so a
// data key copied to another webhook's item does not decrypt.
type KeyService interface {
	// GenerateDataKey returns a fresh 32-byte key and its KMS ciphertext.
	GenerateDataKey(ctx context.Context, orgID, webhookID string) (plaintext, encrypted []byte, err error)
	Decrypt(ctx context.Context, orgID, webhookID string, encrypted []byte) ([]byte, error)
}

// Sealed is what the item keeps: never a plaintext secret or data key.
type Sealed struct {
	DataKey []byte // the data key, encrypted by KMS
	Box     []byte // nonce || AES-256-GCM(record JSON)
}

// ErrNoSealed means the webhook's item has no sealed secrets; ErrSealedExists
// that it already has; ErrSealedChanged that a conditional replace found
// other sealed secrets than the ones it read (a concurrent rotation).
var (
	ErrNoSealed      = errors.New("no sealed secrets on the webhook item")
	ErrSealedExists  = errors.New("sealed secrets already on the webhook item")
	ErrSealedChanged = errors.New("sealed secrets changed since they were read")
)

// Items stores the sealed form on the webhook item.
type Items interface {
	// GetSealed reads the sealed secrets (consistently: a rotation's new
	// version must not be read as the old one); ErrNoSealed if none.
	GetSealed(ctx context.Context, orgID, webhookID string) (Sealed, error)
	// CreateSealed stores the first sealed secrets, before the webhook's
	// item is written (secret first, like Secrets Manager); ErrSealedExists.
	CreateSealed(ctx context.Context, orgID, webhookID string, s Sealed) error
	// ReplaceSealed writes next only if the item still holds old.Box
	// (ErrSealedChanged otherwise, ErrNoSealed when none is left).
	ReplaceSealed(ctx context.Context, orgID, webhookID string, old, next Sealed) error
	// RemoveSealed removes the sealed secrets (and an item that holds
	// nothing else: a webhook whose create failed); ErrNoSealed if none.
	RemoveSealed(ctx context.Context, orgID, webhookID string) error
}
