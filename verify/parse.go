package verify

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// maxEntries bounds the work one header can cause: hookrelay sends at most
// a handful of v1 entries (one per active secret).
const maxEntries = 16

// Signature is a parsed X-<Prefix>-Signature header.
type Signature struct {
	Timestamp int64
	V1        [][]byte // raw 32-byte digests, in header order
}

// String formats s as the header value.
func (s Signature) String() string {
	var b strings.Builder
	b.WriteString("t=" + strconv.FormatInt(s.Timestamp, 10))
	for _, v := range s.V1 {
		b.WriteString(",v1=" + hex.EncodeToString(v))
	}
	return b.String()
}

// ParseSignatureHeader parses "t=<unix>,v1=<hex>[,v1=<hex>…]". Unknown
// keys (future schemes such as v2) are ignored so receivers keep working
// when a scheme is added; exactly one t and at least one v1 are required.
func ParseSignatureHeader(v string) (Signature, error) {
	var s Signature
	seenT := false
	parts := strings.Split(v, ",")
	if len(parts) > maxEntries+1 {
		return Signature{}, fmt.Errorf("%w: too many entries", ErrMalformed)
	}
	for _, part := range parts {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Signature{}, fmt.Errorf("%w: entry without '='", ErrMalformed)
		}
		switch k {
		case "t":
			t, err := parseTimestamp(val)
			if err != nil || seenT {
				return Signature{}, fmt.Errorf("%w: bad or repeated t", ErrMalformed)
			}
			s.Timestamp, seenT = t, true
		case "v1":
			d, err := hex.DecodeString(val)
			if err != nil || len(d) != sha256.Size {
				return Signature{}, fmt.Errorf("%w: v1 is not a hex SHA-256 digest", ErrMalformed)
			}
			s.V1 = append(s.V1, d)
		}
	}
	if !seenT || len(s.V1) == 0 {
		return Signature{}, fmt.Errorf("%w: t and v1 required", ErrMalformed)
	}
	return s, nil
}

// ParseStandardSignatureHeader parses the Standard Webhooks
// "v1,<base64>[ v1,<base64>…]" list. Entries of other versions (v1a, …)
// are ignored; at least one v1 is required.
func ParseStandardSignatureHeader(v string) ([][]byte, error) {
	fields := strings.Fields(v)
	if len(fields) > maxEntries {
		return nil, fmt.Errorf("%w: too many entries", ErrMalformed)
	}
	var out [][]byte
	for _, f := range fields {
		ver, sig, ok := strings.Cut(f, ",")
		if !ok {
			return nil, fmt.Errorf("%w: entry without ','", ErrMalformed)
		}
		if ver != "v1" {
			continue
		}
		d, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(d) != sha256.Size {
			return nil, fmt.Errorf("%w: v1 is not a base64 SHA-256 digest", ErrMalformed)
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no v1 entry", ErrMalformed)
	}
	return out, nil
}
