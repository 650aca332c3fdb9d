// Package ids makes the identifiers hookrelay hands out: time-ordered random
// ids (so DynamoDB sort keys list in creation order) and the deterministic
// delivery id that stays the same across retries, resends and redrives.
package ids

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
)

// Prefixes of the ids, so an id names its kind in logs and errors.
const (
	WebhookPrefix  = "wh_"
	EventPrefix    = "evt_"
	DeliveryPrefix = "dlv_"
)

// Crockford-style lower-case alphabet: sorts in the same order as the bytes.
var encoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// New returns prefix + 26 characters: 48 bits of milliseconds then 80
// random bits, so ids made later sort after earlier ones.
func New(prefix string) string { return NewAt(prefix, time.Now()) }

// NewAt is New with a given time (tests, backfills).
func NewAt(prefix string, t time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("ids: crypto/rand failed: " + err.Error())
	}
	return prefix + encoding.EncodeToString(b[:])
}

// DerivedAt is NewAt with the random bits taken from a hash of seed: the
// same (time, seed) always makes the same id, so an event announced again
// after a failed put keeps the id its receivers deduplicate on.
func DerivedAt(prefix string, t time.Time, seed string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	sum := sha256.Sum256([]byte(seed))
	copy(b[6:], sum[:10])
	return prefix + encoding.EncodeToString(b[:])
}

// Delivery is deterministic in (event, webhook): a re-run fan-out, a retry,
// a resend and a redrive all carry the same id, so receivers can deduplicate.
func Delivery(eventID, webhookID string) string {
	sum := sha256.Sum256([]byte(eventID + "\x00" + webhookID))
	return DeliveryPrefix + hex.EncodeToString(sum[:16])
}

// Valid reports whether id has the prefix and only id characters, so ids
// from URLs can be checked before they reach a store key.
func Valid(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || rest == "" || len(rest) > 64 {
		return false
	}
	for _, r := range rest {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

// OrgRule describes ValidOrg's rule for error messages.
const OrgRule = "1 to 128 characters from A-Z a-z 0-9 _ - . @ + ="

// ValidOrg reports whether org can be an organization id. Organization ids
// come from the issuer's token or a producer's event, never from hookrelay,
// and are embedded in every key: DynamoDB keys join parts with '#', and
// Secrets Manager names (which allow exactly these characters) separate
// them with '/'. The API refuses a token whose org breaks this rule, and
// fan-out dead-letters an event whose org does.
func ValidOrg(org string) bool {
	if org == "" || len(org) > 128 {
		return false
	}
	for _, c := range org {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '-' || c == '.' || c == '@' || c == '+' || c == '=') {
			return false
		}
	}
	return true
}

// MaxProducerID bounds a producer idempotency key, in bytes: the API's
// "id" and a direct producer's detail.id. It is part of a DynamoDB key,
// which may not exceed 2,048 bytes.
const MaxProducerID = 128

// ProducerIDRule describes ValidProducerID's rule for error messages.
const ProducerIDRule = "at most 128 bytes (UTF-8), with no control, bidirectional, line-separator, U+FFFE or U+FFFF characters"

// ValidProducerID reports whether id can be a producer idempotency key
// ("" is none). The API answers 422 for one that breaks the rule, and
// fan-out dead-letters an event whose detail.id does.
func ValidProducerID(id string) bool {
	return len(id) <= MaxProducerID && !strings.ContainsFunc(id, HiddenOrControl)
}

// HiddenOrControl is refused in names and producer ids: control characters
// (category Cc), the bidirectional controls (U+061C, U+200E/F,
// U+202A-U+202E, U+2066-U+2069) that make text display as something it is
// not, line and paragraph separators, and the noncharacters U+FFFE and
// U+FFFF, which SQS refuses in a message (a webhook's name travels in its
// health notices).
func HiddenOrControl(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || unicode.In(r, unicode.Zl, unicode.Zp) ||
		r == '\uFFFE' || r == '\uFFFF'
}
