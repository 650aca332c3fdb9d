// Package rfc3339 reads times the way RFC 3339 writes them, where Go's
// time.RFC3339 layout is stricter: §5.6 lets the "T" and "Z" be lower case.
package rfc3339

import (
	"strings"
	"time"
)

// Parse is time.Parse(time.RFC3339, s) accepting lower-case "t" and "z".
// Upper-casing changes nothing else: an RFC 3339 time holds no other
// letter, and anything else stays as invalid as it was.
func Parse(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, strings.ToUpper(s))
}
