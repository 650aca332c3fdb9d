package message

import (
	"strings"
	"unicode/utf8"
)

// decodeCanonical is Decode's fast path for the exact form Encode writes:
// the seven fields in declaration order, no whitespace, "v":1, every
// string non-empty. It reports false for anything else — other field
// orders, unknown or repeated fields, whitespace, surrogate escapes,
// invalid UTF-8 — and Decode then takes the encoding/json path, so the
// result (or the error) is always what json.Unmarshal gives. Strings
// without escapes are substrings of body: no copy.
func decodeCanonical(body string) (Delivery, bool) {
	const head = `{"v":1,`
	if !strings.HasPrefix(body, head) {
		return Delivery{}, false
	}
	p := parser{s: body, i: len(head)}
	d := Delivery{V: 1}
	ok := p.field(`"delivery_id":`, &d.DeliveryID, ',') &&
		p.field(`"event_id":`, &d.EventID, ',') &&
		p.field(`"organization_id":`, &d.OrgID, ',') &&
		p.field(`"webhook_id":`, &d.WebhookID, ',') &&
		p.field(`"event_name":`, &d.EventName, ',') &&
		p.field(`"envelope":`, &d.Envelope, '}')
	if !ok || p.i != len(body) {
		return Delivery{}, false
	}
	return d, true
}

type parser struct {
	s string
	i int
}

// field reads key, a non-empty string value into dst, then the byte end.
func (p *parser) field(key string, dst *string, end byte) bool {
	if !strings.HasPrefix(p.s[p.i:], key) {
		return false
	}
	p.i += len(key)
	v, ok := p.str()
	if !ok || v == "" || p.i >= len(p.s) || p.s[p.i] != end {
		return false
	}
	p.i++
	*dst = v
	return true
}

// str reads a JSON string at p.i.
func (p *parser) str() (string, bool) {
	s := p.s
	if p.i >= len(s) || s[p.i] != '"' {
		return "", false
	}
	start := p.i + 1
	ascii := true
	for j := start; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			v := s[start:j]
			if !ascii && !utf8.ValidString(v) {
				return "", false // json.Unmarshal would substitute U+FFFD
			}
			p.i = j + 1
			return v, true
		case c == '\\':
			return p.unescape(start, j)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// unescape finishes a string with escapes; esc is the first backslash.
// The result is built in a strings.Builder: one allocation, no copy.
func (p *parser) unescape(start, esc int) (string, bool) {
	s := p.s
	var b strings.Builder
	b.Grow(len(s) - start)
	b.WriteString(s[start:esc])
	ascii := true
	for j := esc; j < len(s); {
		// Copy the run up to the next quote, backslash or control byte.
		k := j
		for k < len(s) && s[k] != '"' && s[k] != '\\' && s[k] >= 0x20 {
			if s[k] >= utf8.RuneSelf {
				ascii = false
			}
			k++
		}
		b.WriteString(s[j:k])
		if k+1 >= len(s) || s[k] < 0x20 {
			return "", false // unterminated, or a raw control byte
		}
		if s[k] == '"' {
			v := b.String()
			if !ascii && !utf8.ValidString(v) {
				return "", false // json.Unmarshal would substitute U+FFFD
			}
			p.i = k + 1
			return v, true
		}
		switch s[k+1] {
		case '"', '\\', '/':
			b.WriteByte(s[k+1])
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, k+2)
			if !ok || r >= 0xD800 && r < 0xE000 {
				return "", false // surrogates: left to encoding/json
			}
			b.WriteRune(r)
			j = k + 6
			continue
		default:
			return "", false
		}
		j = k + 2
	}
	return "", false
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
