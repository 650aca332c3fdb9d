package phrase

import (
	"strconv"
	"unicode/utf8"
)

// Clip returns s cut to at most max bytes, followed by tail when it was
// cut. The cut ends on a whole UTF-8 character: one it would split is left
// out whole, so valid UTF-8 stays valid (an SQS attribute, a JSON string).
func Clip(s string, max int, tail string) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max] + tail
}

// QuoteMax is how many bytes of a client's text Quote repeats.
const QuoteMax = 64

// Quote repeats text a client sent (a key, an event type, an id, a query
// parameter) in an error message: Go-quoted, so control and formatting
// characters are escaped and cannot rewrite a terminal or forge a log
// line, and only its first QuoteMax bytes, with "…" after the closing
// quote when it was cut, so a 900 KB key is not sent back (or logged)
// whole.
func Quote(s string) string {
	if c := Clip(s, QuoteMax, ""); len(c) < len(s) {
		return strconv.Quote(c) + "…"
	}
	return strconv.Quote(s)
}
