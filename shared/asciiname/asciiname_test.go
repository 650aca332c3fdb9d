package asciiname

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	for _, c := range []struct {
		name  string
		max   int
		punct string
		want  bool
	}{
		{"a", 3, "", true},
		{"Az09", 4, "", true},
		{"a-b", 3, "-", true},
		{"a.b_c-d", 7, "._-", true},
		{"", 3, "", false},
		{"abcd", 3, "", false},
		{"a-b", 3, "", false},
		{"a b", 3, " -", true},
		{"a b", 3, "-", false},
		{"a:b", 3, "-", false},
		{"é", 3, "-", false},
		{"\x80", 3, "\x80", false}, // punct is ASCII only
		{"a\r\nb", 9, "-", false},
		{strings.Repeat("x", 128), 128, "", true},
		{strings.Repeat("x", 129), 128, "", false},
	} {
		if got := Valid(c.name, c.max, c.punct); got != c.want {
			t.Errorf("Valid(%q, %d, %q) = %v, want %v", c.name, c.max, c.punct, got, c.want)
		}
	}
}
