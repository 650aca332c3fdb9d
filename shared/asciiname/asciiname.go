// Package asciiname checks short names made of ASCII letters, digits and
// a few punctuation bytes: header brands, event type names. A loop rather
// than a regular expression because these are checked as functions start,
// and compiling `[...]{1,128}` at package init cost the api and fanout
// about a millisecond of each cold start (GODEBUG=inittrace=1).
package asciiname

import "strings"

// Valid says whether name is 1 to max bytes, each an ASCII letter, digit
// or one of the bytes in punct.
func Valid(name string, max int, punct string) bool {
	return len(name) >= 1 && len(name) <= max && !strings.ContainsFunc(name, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r < 0x80 && strings.ContainsRune(punct, r))
	})
}
