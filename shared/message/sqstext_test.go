package message

import (
	"testing"
	"unicode/utf8"
)

func TestSQSText(t *testing.T) {
	for _, s := range []string{"", "a\tb\nc\r", " ~\u007f\u0085\ud7ff", "\ue000\ufffd", "\U00010000\U0001fffe\U0010ffff"} {
		if !SQSText(s) || ToSQSText(s) != s {
			t.Errorf("%q: refused or changed", s)
		}
	}
	for s, want := range map[string]string{
		"a\x00b": "a\ufffdb", "\x1f": "\ufffd", "\x0b\x0c": "\ufffd\ufffd", "x\ufffe\uffff": "x\ufffd\ufffd",
		"bad\xffutf8": "bad\ufffdutf8", "\xed\xa0\x80": "\ufffd", // a surrogate's UTF-8 is invalid
	} {
		if SQSText(s) {
			t.Errorf("%q accepted", s)
		}
		if got := ToSQSText(s); got != want || !SQSText(got) || !utf8.ValidString(got) {
			t.Errorf("ToSQSText(%q) = %q, want %q", s, got, want)
		}
	}
}
