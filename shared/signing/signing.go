// Package signing signs the requests hookrelay POSTs to endpoints, in the
// two header families of docs/signatures.md: a Stripe-compatible
// X-<Prefix>-Signature and the Standard Webhooks webhook-* headers. Both
// come from the same secret, so a receiver may verify either. The scheme
// itself (header names, keys, digests) is the receiver package's, verify.
package signing

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hookrelay/hookrelay/verify"
)

// ErrNoSecret means there is nothing to sign with: a request must never go
// out unsigned.
var ErrNoSecret = errors.New("signing: no active secret")

// SignatureHex is the Stripe-compatible v1 value: hex HMAC-SHA256 keyed by
// the secret string exactly as the API returned it (whsec_ prefix
// included), over "<t>.<body>".
func SignatureHex(secret string, t int64, body []byte) string {
	return hex.EncodeToString(verify.Sum(secret, t, body))
}

// SignatureBase64 is the Standard Webhooks value: base64 HMAC-SHA256 keyed
// by verify.StandardKey over "<msgID>.<t>.<body>".
func SignatureBase64(key []byte, msgID string, t int64, body []byte) string {
	return base64.StdEncoding.EncodeToString(verify.StandardSum(key, msgID, t, body))
}

// Signature returns the X-<Prefix>-Signature value "t=<t>,v1=<hex>[,v1=…]",
// one v1 per secret in the order given (Active returns newest first).
func Signature(secretList []string, t int64, body []byte) (string, error) {
	if len(secretList) == 0 {
		return "", ErrNoSecret
	}
	var b strings.Builder
	b.WriteString("t=" + strconv.FormatInt(t, 10))
	for _, s := range secretList {
		b.WriteString(",v1=" + SignatureHex(s, t, body))
	}
	return b.String(), nil
}

// StandardSignature returns the webhook-signature value
// "v1,<base64>[ v1,<base64>…]", one entry per secret in the order given.
func StandardSignature(secretList []string, msgID string, t int64, body []byte) (string, error) {
	if len(secretList) == 0 {
		return "", ErrNoSecret
	}
	entries := make([]string, len(secretList))
	for i, s := range secretList {
		key, err := verify.StandardKey(s)
		if err != nil {
			return "", fmt.Errorf("signing: secret %d of %d: %w", i+1, len(secretList), err)
		}
		entries[i] = "v1," + SignatureBase64(key, msgID, t, body)
	}
	return strings.Join(entries, " "), nil
}
