package phrase

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, c := range []struct {
		s    string
		max  int
		tail string
		want string
	}{
		{"abc", 3, "…", "abc"},
		{"abcd", 3, "…", "abc…"},
		{"abcd", 3, "", "abc"},
		{"", 0, "…", ""},
		{"ab", 0, "…", "…"},
		{"aé", 2, "", "a"},   // é is 2 bytes: left out whole, not split
		{"aé", 3, "", "aé"},  // fits exactly
		{"a😀b", 4, "", "a"},  // 😀 is 4 bytes
		{"a😀b", 5, "", "a😀"}, // the whole character fits
		{"😀", 3, "…", "…"},
	} {
		if got := Clip(c.s, c.max, c.tail); got != c.want {
			t.Errorf("Clip(%q, %d, %q) = %q, want %q", c.s, c.max, c.tail, got, c.want)
		}
	}
	long := strings.Repeat("é😀x", 1000)
	for max := range 40 {
		if got := Clip(long, max, ""); len(got) > max || !utf8.ValidString(got) || !strings.HasPrefix(long, got) || len(got) < max-3 {
			t.Errorf("Clip(…, %d) = %q: want a valid prefix of at most %d bytes, at most 3 short", max, got, max)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, c := range []struct{ s, want string }{
		{"event.type", `"event.type"`},
		{"a\nb\x1b[31m\u202e", `"a\nb\x1b[31m\u202e"`}, // nothing a terminal or a log line acts on
		{strings.Repeat("k", QuoteMax), `"` + strings.Repeat("k", QuoteMax) + `"`},
		{strings.Repeat("k", 10_000), `"` + strings.Repeat("k", QuoteMax) + `"…`},
		{"k" + strings.Repeat("😀", 100), `"k` + strings.Repeat("😀", 15) + `"…`}, // 61 bytes: a 16th would split
	} {
		if got := Quote(c.s); got != c.want {
			t.Errorf("Quote(%.80q) = %q, want %q", c.s, got, c.want)
		}
	}
}
