package verify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The signature scheme, shared with hookrelay's signer so the two cannot
// drift. Each digest is computed afresh: nothing keyed by a secret outlives
// the call.

// SecretPrefix starts every signing secret (Standard Webhooks convention).
const SecretPrefix = "whsec_"

// Standard Webhooks header names (lower case as the spec writes them;
// net/http canonicalizes them on the wire, header names are case-insensitive).
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// HeaderName returns "X-<prefix>-<suffix>", e.g. X-Hookrelay-Signature.
func HeaderName(prefix, suffix string) string { return "X-" + prefix + "-" + suffix }

// ErrBadSecret means a secret cannot be used as a Standard Webhooks key
// (StandardKey) or as a receiver's secret (CheckSecret).
// The message never contains the secret.
var ErrBadSecret = errors.New("secret is not whsec_ + base64")

// CheckSecret accepts only the form create and rotate return: SecretPrefix
// followed by non-empty standard base64. Anything else is a configuration
// error (ErrBadSecret), above all an empty secret: an unset WEBHOOK_SECRET
// would key the HMAC by "", which anyone can compute.
func CheckSecret(secret string) error {
	if secret == "" {
		return fmt.Errorf("%w: it is empty (is the variable set?)", ErrBadSecret)
	}
	if !strings.HasPrefix(secret, SecretPrefix) {
		return ErrBadSecret
	}
	_, err := StandardKey(secret)
	return err
}

// Sum is the digest of the X-<Prefix>-Signature family: HMAC-SHA256 keyed
// by the secret string exactly as the API returned it (whsec_ prefix
// included), over "<t>.<body>".
func Sum(secret string, t int64, body []byte) []byte {
	return hmacSum([]byte(secret), "", t, body)
}

// StandardKey is the Standard Webhooks key: the base64-decoded part after
// "whsec_". A secret without the prefix is decoded whole, as the Standard
// Webhooks libraries do.
func StandardKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, ErrBadSecret
	}
	return key, nil
}

// StandardSum is the digest of the webhook-signature family: HMAC-SHA256
// keyed by StandardKey over "<msgID>.<t>.<body>".
func StandardSum(key []byte, msgID string, t int64, body []byte) []byte {
	return hmacSum(key, msgID, t, body)
}

// hmacSum streams "[<msgID>.]<t>.<body>" into the MAC without copying the
// body into a new buffer.
func hmacSum(key []byte, msgID string, t int64, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	if msgID != "" {
		m.Write([]byte(msgID + "."))
	}
	m.Write(strconv.AppendInt(nil, t, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}
