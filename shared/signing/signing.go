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

	"github.com/hookrelay/hookrelay/verify"
)

// ErrNoSecret means there is nothing to sign with: a request must never go
// out unsigned.
var ErrNoSecret = errors.New("signing: no active secret")

// SignatureHex is the Stripe-compatible v1 value: hex HMAC-SHA256 keyed by
// the secret string exactly as the API returned it (whsec_ prefix
// included), over "<t>.<body>".
func SignatureHex(secret string, t int64, body []byte) string {
	m := hexMACs.get(secret)
	defer m.release()
	sum := m.sum("", t, body)
	return string(hex.AppendEncode(m.scratch[:0], sum))
}

// SignatureBase64 is the Standard Webhooks value: base64 HMAC-SHA256 keyed
// by StandardKey over "<msgID>.<t>.<body>".
func SignatureBase64(key []byte, msgID string, t int64, body []byte) string {
	return base64.StdEncoding.EncodeToString(verify.StandardSum(key, msgID, t, body))
}

// Signature returns the X-<Prefix>-Signature value "t=<t>,v1=<hex>[,v1=…]",
// one v1 per secret in the order given (Active returns newest first).
func Signature(secretList []string, t int64, body []byte) (string, error) {
	b, err := appendSignature(nil, secretList, t, body)
	return string(b), err
}

// appendSignature appends the Signature value to dst: one buffer for the
// whole header value, the hex written straight into it.
func appendSignature(dst []byte, secretList []string, t int64, body []byte) ([]byte, error) {
	if len(secretList) == 0 {
		return dst, ErrNoSecret
	}
	dst = append(dst, "t="...)
	dst = strconv.AppendInt(dst, t, 10)
	for _, s := range secretList {
		m := hexMACs.get(s)
		dst = append(dst, ",v1="...)
		dst = hex.AppendEncode(dst, m.sum("", t, body))
		m.release()
	}
	return dst, nil
}

// StandardSignature returns the webhook-signature value
// "v1,<base64>[ v1,<base64>…]", one entry per secret in the order given.
func StandardSignature(secretList []string, msgID string, t int64, body []byte) (string, error) {
	b, err := appendStandardSignature(nil, secretList, msgID, t, body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// appendStandardSignature appends the StandardSignature value to dst.
func appendStandardSignature(dst []byte, secretList []string, msgID string, t int64, body []byte) ([]byte, error) {
	if len(secretList) == 0 {
		return dst, ErrNoSecret
	}
	for i, s := range secretList {
		m, err := stdMACs.getStandard(s)
		if err != nil {
			return dst, fmt.Errorf("secret %d of %d: %w", i+1, len(secretList), err)
		}
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, "v1,"...)
		dst = base64.StdEncoding.AppendEncode(dst, m.sum(msgID, t, body))
		m.release()
	}
	return dst, nil
}
