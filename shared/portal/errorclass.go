package portal

import "github.com/hookrelay/hookrelay/shared/deliverylog"

// errorPhrases are the attempt log's words for the error classes delivery
// records (shared/delivery's Class* constants, which this package does not
// link): the page speaks plain English and keeps the class beside the
// phrase, as the API, the DLQ and support name it.
// noRequest marks the classes of an attempt that sent nothing.
var errorPhrases = map[string]struct {
	phrase    string
	noRequest bool
}{
	"timeout":                    {phrase: "timed out"},
	"connection_reset":           {phrase: "connection reset"},
	"connection_refused":         {phrase: "connection refused"},
	"connection_closed":          {phrase: "connection closed early"},
	"connection":                 {phrase: "connection failed"},
	"dns":                        {phrase: "host name not found"},
	"tls":                        {phrase: "TLS handshake failed"},
	"blocked_address":            {phrase: "address not allowed", noRequest: true},
	"invalid_url":                {phrase: "invalid URL", noRequest: true},
	"signing":                    {phrase: "could not sign", noRequest: true},
	"webhook_deleted":            {phrase: "endpoint deleted", noRequest: true},
	"webhook_disabled":           {phrase: "endpoint disabled", noRequest: true},
	"unsubscribed":               {phrase: "not subscribed to this event", noRequest: true},
	"retries_spent":              {phrase: "retries used up", noRequest: true},
	"response_headers_too_large": {phrase: "response headers too large"},
}

// errorPhrase is an error class in words, or "" for a class this page
// does not know (a newer delivery's), which is then shown as it is.
func errorPhrase(class string) string { return errorPhrases[class].phrase }

// latencyShown is false for an attempt that sent nothing (skipped, or
// stopped before its request): its 0 ms was never measured.
func latencyShown(outcome, class string) bool {
	return outcome != deliverylog.OutcomeSkipped && !errorPhrases[class].noRequest
}
