package signing

import (
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hookrelay/hookrelay/verify"
)

// Request is what the headers of one POST depend on.
type Request struct {
	Prefix     string // header brand, config.HeaderPrefix ("Hookrelay")
	Version    string // User-Agent version; DefaultVersion() when empty
	EventName  string
	DeliveryID string // same across retries: receivers deduplicate on it
	Timestamp  time.Time
	Secrets    []string // active secrets, newest first
	Body       []byte
}

// Headers builds every header of a delivery POST per the design of record.
// The timestamp is the attempt's, not the event's: receivers reject stale
// signatures, and retries happen minutes later.
//
// It runs once per attempt, so it builds the map directly under canonical
// keys (what Header.Set would store), with the three computed values in
// one string and the eight value slices in one array.
func Headers(r Request) (http.Header, error) {
	t := r.Timestamp.Unix()
	var arr [320]byte // two secrets fit: timestamp, 2×(",v1="+64), 2×("v1,"+44)+1
	buf := strconv.AppendInt(arr[:0], t, 10)
	tsEnd := len(buf)
	buf, err := appendSignature(buf, r.Secrets, t, r.Body)
	if err != nil {
		return nil, err
	}
	sigEnd := len(buf)
	buf, err = appendStandardSignature(buf, r.Secrets, r.DeliveryID, t, r.Body)
	if err != nil {
		return nil, err
	}
	computed := string(buf)
	version := r.Version
	if version == "" {
		version = DefaultVersion()
	}
	n := namesFor(r.Prefix, version)
	vals := [...]string{
		"application/json", n.userAgent, r.EventName, r.DeliveryID,
		computed[tsEnd:sigEnd], r.DeliveryID, computed[:tsEnd], computed[sigEnd:],
	}
	v := vals[:] // escapes: one allocation for all eight values
	h := make(http.Header, 8)
	h["Content-Type"] = v[0:1:1]
	h["User-Agent"] = v[1:2:2]
	h[n.event] = v[2:3:3]
	h[n.delivery] = v[3:4:4]
	h[n.signature] = v[4:5:5]
	h["Webhook-Id"] = v[5:6:6]
	h["Webhook-Timestamp"] = v[6:7:7]
	h["Webhook-Signature"] = v[7:8:8]
	return h, nil
}

// headerNames are the canonical X-<Prefix>-* names and the User-Agent of
// one (prefix, version): the same for every delivery of a process.
type headerNames struct {
	prefix, version                       string
	event, delivery, signature, userAgent string
}

var lastNames atomic.Pointer[headerNames]

func namesFor(prefix, version string) *headerNames {
	if n := lastNames.Load(); n != nil && n.prefix == prefix && n.version == version {
		return n
	}
	n := &headerNames{
		prefix: prefix, version: version,
		event:     http.CanonicalHeaderKey(verify.HeaderName(prefix, "Event")),
		delivery:  http.CanonicalHeaderKey(verify.HeaderName(prefix, "Delivery")),
		signature: http.CanonicalHeaderKey(verify.HeaderName(prefix, "Signature")),
		userAgent: "hookrelay/" + version,
	}
	lastNames.Store(n)
	return n
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
