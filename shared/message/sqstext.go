package message

import (
	"strings"
	"unicode/utf8"
)

// SQSText reports whether SQS accepts s in a message body or a string
// attribute value: valid UTF-8 of #x9 | #xA | #xD | #x20-#xD7FF |
// #xE000-#xFFFD | #x10000-#x10FFFF. A send holding anything else fails
// (InvalidMessageContents, or InvalidParameterValue for an attribute),
// however often it is retried. goaws does not check.
func SQSText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, sqsRefuses)
}

// ToSQSText returns s with invalid UTF-8 and every character SQS refuses
// replaced by U+FFFD: for attribute values that carry a producer's text
// (an event name, an error quoting a JSON key), which must not make the
// dead letter that reports them impossible to send.
func ToSQSText(s string) string {
	if SQSText(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if sqsRefuses(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(s, string(utf8.RuneError)))
}

func sqsRefuses(r rune) bool {
	return !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xd7ff ||
		r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r <= 0x10ffff)
}
