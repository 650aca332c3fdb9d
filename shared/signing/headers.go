package signing

import (
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/verify"
)

// Request is what the headers of one POST depend on.
type Request struct {
	Prefix     string // header brand, config.HeaderPrefix ("Hookrelay")
	Version    string // User-Agent version; DefaultVersion() when empty
	EventName  string
	DeliveryID string // same across retries; only webhook-signature covers it
	Timestamp  time.Time
	Secrets    []string // active secrets, newest first
	Body       []byte
}

// Headers builds every header of a delivery POST per docs/signatures.md.
// The timestamp is the attempt's, not the event's: receivers reject stale
// signatures, and retries happen minutes later.
func Headers(r Request) (http.Header, error) {
	t := r.Timestamp.Unix()
	sig, err := Signature(r.Secrets, t, r.Body)
	if err != nil {
		return nil, err
	}
	std, err := StandardSignature(r.Secrets, r.DeliveryID, t, r.Body)
	if err != nil {
		return nil, err
	}
	version := r.Version
	if version == "" {
		version = DefaultVersion()
	}
	h := make(http.Header, 8)
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "hookrelay/"+version)
	h.Set(verify.HeaderName(r.Prefix, "Event"), r.EventName)
	h.Set(verify.HeaderName(r.Prefix, "Delivery"), r.DeliveryID)
	h.Set(verify.HeaderName(r.Prefix, "Signature"), sig)
	h.Set(verify.HeaderWebhookID, r.DeliveryID)
	h.Set(verify.HeaderWebhookTimestamp, strconv.FormatInt(t, 10))
	h.Set(verify.HeaderWebhookSignature, std)
	return h, nil
}

// DefaultVersion is the main module's version from the build info (a tag,
// or Go's VCS pseudo-version), "dev" when the binary carries none.
func DefaultVersion() string { return defaultVersion() }

var defaultVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
})
