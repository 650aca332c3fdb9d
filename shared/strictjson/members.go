package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hookrelay/hookrelay/shared/phrase"
)

// ErrRepeatedKey marks an object holding one key twice. encoding/json keeps
// the last; other parsers (the client's, a filter upstream) may have
// read the first, so which one was meant cannot be told.
var ErrRepeatedKey = errors.New("repeats the key")

// Members returns the members of the JSON object b whose keys are among
// keys, compared exactly: encoding/json matches keys to struct fields
// ignoring case, so a "DATA" beside "data" would be read as "data". One
// of keys present twice is an ErrRepeatedKey; other members are skipped
// unread.
func Members(b []byte, keys ...string) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	err := eachMember(b, func(key string, value json.RawMessage) error {
		if !slices.Contains(keys, key) {
			return nil
		}
		if _, seen := m[key]; seen {
			return fmt.Errorf("%w %s", ErrRepeatedKey, phrase.Quote(key))
		}
		m[key] = value
		return nil
	})
	return m, err
}

// eachMember calls fn with each key of the JSON object b (unescaped) and
// its value's text, in order.
func eachMember(b []byte, fn func(key string, value json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ErrNotObject
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return err
		}
		if err := fn(tok.(string), value); err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing brace; a syntax error otherwise
	return err
}

// checkKeys refuses a key of the object body that is not exactly the JSON
// name of one of dst's fields (a pointer to a struct; anything else is not
// checked), a key given twice, and a list of strings with a null entry
// (ErrNotStrings). Decode has already decoded body into dst, so only that
// is left to check.
func checkKeys(body []byte, dst any) error {
	t := reflect.TypeOf(dst)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return nil
	}
	strs := fieldNames(t.Elem(), map[string]bool{})
	seen := map[string]bool{}
	return eachMember(body, func(key string, value json.RawMessage) error {
		str, known := strs[key]
		switch {
		case !known:
			return unknownField(key)
		case seen[key]:
			return fmt.Errorf("%w %s", ErrRepeatedKey, phrase.Quote(key))
		case str && !allStrings(value):
			return fmt.Errorf("%s %w", key, ErrNotStrings)
		}
		seen[key] = true
		return nil
	})
}

// allStrings reports whether v, if an array, holds only strings:
// encoding/json reads a null entry of a []string as "". v is valid JSON
// starting at its first byte (eachMember's), so outside strings only
// these bytes separate them.
func allStrings(v []byte) bool {
	in := false
	for i := 1; i < len(v) && v[0] == '['; i++ {
		switch c := v[i]; {
		case in && c == '\\':
			i++ // the escaped byte, a quote included
		case c == '"':
			in = !in
		case in, c == ',', c == ']', c == ' ', c == '\t', c == '\n', c == '\r':
		default:
			return false
		}
	}
	return true
}

// fieldNames maps the JSON names of struct type t's fields, those of
// embedded structs without a name of their own included, to whether the
// field is a []string.
func fieldNames(t reflect.Type, names map[string]bool) map[string]bool {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			fieldNames(f.Type, names)
		case !f.IsExported() || name == "-":
		case name == "":
			name = f.Name
			fallthrough
		default:
			names[name] = f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String
		}
	}
	return names
}

// entryError words an entry of another type in a []string field of dst
// as a null entry is (ErrNotStrings): encoding/json names the entry's Go
// type, which would read "ids must be a string" of a list.
func entryError(err error, dst any) error {
	var typ *json.UnmarshalTypeError
	t := reflect.TypeOf(dst)
	if !errors.As(err, &typ) || typ.Type.Kind() != reflect.String ||
		t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return err
	}
	key := typ.Field[strings.LastIndexByte(typ.Field, '.')+1:]
	if fieldNames(t.Elem(), map[string]bool{})[key] {
		return fmt.Errorf("%s %w", key, ErrNotStrings)
	}
	return err
}
