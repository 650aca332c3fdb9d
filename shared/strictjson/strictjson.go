// Package strictjson decodes request bodies without encoding/json's
// leniency on text: it replaces invalid UTF-8 and unpaired UTF-16
// surrogate escapes ("\ud800") with U+FFFD, so a body the client never
// meant would be stored as if it had. Such a body is refused instead.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hookrelay/hookrelay/shared/phrase"
)

// ErrNotText marks a body that is not valid Unicode text.
var ErrNotText = errors.New("request body is not valid UTF-8 text")

// ErrNotStrings marks a list of strings with a null entry, after the key
// it was given under (an entry of another type is encoding/json's error).
var ErrNotStrings = errors.New("must be an array of strings")

// ErrTrailingData marks a body with more after its JSON value.
var ErrTrailingData = errors.New("trailing data after the JSON object")

// ErrNotObject marks a body whose JSON value is not an object (null, a
// number, a list).
var ErrNotObject = errors.New("not a JSON object")

// errUnknownField marks a key dst has no field for.
var errUnknownField = errors.New("unknown field")

// UnknownField reports whether err is Decode's refusal of a key dst has
// no field for, and says so (`unknown field "x"`) as every route answers
// it.
func UnknownField(err error) (string, bool) {
	if errors.Is(err, errUnknownField) {
		return err.Error(), true
	}
	return "", false
}

// unknownField names the key dst has no field for by its start only
// (phrase.Quote): the client may have sent a key of nearly a megabyte.
func unknownField(key string) error {
	return fmt.Errorf("%w %s", errUnknownField, phrase.Quote(key))
}

// fromDecoder gives encoding/json's refusal of an unknown key, which has no
// type of its own and quotes the key whole, as unknownField.
func fromDecoder(err error) error {
	quoted, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return err
	}
	key, uerr := strconv.Unquote(quoted)
	if uerr != nil {
		key = quoted
	}
	return unknownField(key)
}

// Decode reads the body (at most limit bytes; beyond that the error is
// an *http.MaxBytesError), checks it with CheckText, and decodes exactly
// one JSON value into dst, refusing unknown fields. Keys are matched to
// dst's fields exactly, and a key given twice in any object of the body
// (data's included) is an ErrRepeatedKey; a []string field given a null
// entry (which encoding/json reads as "") or an entry of another type is
// ErrNotStrings. Other errors are encoding/json's.
func Decode(w http.ResponseWriter, r *http.Request, limit int64, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		return err
	}
	if err := CheckText(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return entryError(fromDecoder(err), dst)
	}
	// Trailing data ("{}{}", "{} x") is malformed, whatever it holds: a
	// second Decode would report a field of a trailing object as unknown.
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailingData
	}
	if err := checkKeys(body, dst); err != nil {
		return err
	}
	return CheckRepeatedKeys(body)
}

// CheckText reports (as ErrNotText) invalid UTF-8 anywhere in b, and
// \u escapes that name half a surrogate pair. A backslash appears in valid
// JSON only inside strings, so every escape is found without parsing.
func CheckText(b []byte) error {
	if !utf8.Valid(b) {
		return ErrNotText
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		i++ // the escaped character, skipped whatever it is ("\\u" is not an escape)
		if i == len(b) || b[i] != 'u' {
			continue
		}
		r, ok := hex4(b[i+1:])
		if !ok || !utf16.IsSurrogate(r) {
			continue // a syntax error is the decoder's to report
		}
		if r >= 0xdc00 || len(b) < i+11 || b[i+5] != '\\' || b[i+6] != 'u' {
			return ErrNotText
		}
		if low, ok := hex4(b[i+7:]); !ok || low < 0xdc00 || low > 0xdfff {
			return ErrNotText
		}
		i += 10
	}
	return nil
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
