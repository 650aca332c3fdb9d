package strictjson

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	valid := []string{
		`{"name":"hello"}`,
		`{"name":"héllo ✓ 😀"}`,
		`{"name":"\ud83d\ude00"}`, // a surrogate pair: one code point
		`{"name":"\uD83D\uDE00"}`,
		`{"name":"\u00e9\u0041"}`,
		`{"name":"\\ud800"}`,        // an escaped backslash, then the text "ud800"
		`{"name":"\\\ud83d\ude00"}`, // backslash, then a pair
		`{"name":"\u12"}`,           // malformed, left to the JSON decoder
		`\`,
	}
	for _, s := range valid {
		if err := CheckText([]byte(s)); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	invalid := []string{
		"{\"name\":\"a\xffb\"}",       // not UTF-8
		"{\"name\":\"\xe2\x82\"}",     // a truncated sequence
		"{\"name\":\"\xed\xa0\x80\"}", // a surrogate encoded in UTF-8
		"{\"name\":\"\xc0\xaf\"}",     // an overlong encoding
		`{"name":"\ud800"}`,           // a lone high surrogate
		`{"name":"\udc00"}`,           // a lone low surrogate
		`{"name":"\ud800\u0041"}`,     // high, then not a low one
		`{"name":"\ud800\ud800"}`,     // high, high
		`{"name":"x\ud83d"}`,          // cut before its pair
		`{"name":"\\\ud800"}`,         // backslash, then a lone surrogate
		`{"a":"ok","b":["\uDFFF"]}`,   // anywhere in the document
	}
	for _, s := range invalid {
		if err := CheckText([]byte(s)); !errors.Is(err, ErrNotText) {
			t.Errorf("%q: %v, want ErrNotText", s, err)
		}
	}
}

func decode(body string, limit int64) error {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	var dst struct {
		Name string `json:"name"`
	}
	return Decode(httptest.NewRecorder(), r, limit, &dst)
}

func TestDecode(t *testing.T) {
	if err := decode(`{"name":"x"}`, 100); err != nil {
		t.Fatal(err)
	}
	if err := decode("{\"name\":\"\xff\"}", 100); !errors.Is(err, ErrNotText) {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if err := decode(`{"name":"x"} {}`, 100); !errors.Is(err, ErrTrailingData) {
		t.Errorf("trailing object: %v", err)
	}
	if err := decode(`{"name":"x"} x`, 100); !errors.Is(err, ErrTrailingData) {
		t.Errorf("trailing garbage: %v", err)
	}
	if err := decode(`{"name":"x"}{"a":1}`, 100); !errors.Is(err, ErrTrailingData) {
		t.Errorf("a trailing object with a field: %v, want ErrTrailingData, not an unknown field", err)
	}
	if err := decode("{\"name\":\"x\"} \n\t", 100); err != nil {
		t.Errorf("trailing white space: %v", err)
	}
	if err := decode(`{"name":"x","other":1}`, 100); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("unknown field: %v", err)
	}
	if err := decode(``, 100); err != io.EOF {
		t.Errorf("empty body: %v", err)
	}
	var tooBig *http.MaxBytesError
	if err := decode(`{"name":"`+strings.Repeat("x", 200)+`"}`, 100); !errors.As(err, &tooBig) {
		t.Errorf("over the limit: %v", err)
	}
}

// A null among a []string's entries, which encoding/json reads as "", is
// refused as an entry of another type is (encoding/json's own error would
// read "ids must be a string" of a list); "null" inside a string, escaped
// quotes included, is not one, and a string field's wrong type is not.
func TestDecodeRefusesNullInAListOfStrings(t *testing.T) {
	for body, refused := range map[string]bool{
		`{"ids":[null]}`: true, `{"ids":[ "a" , null ]}`: true, `{"ids":null}`: false,
		`{"ids":["a\"null", "\\", "n"]}`: false, `{"ids":[]}`: false, `{"name":"x"}`: false,
		`{"ids":[1]}`: true, `{"ids":["a",true]}`: true, `{"ids":[{}]}`: true, `{"ids":[["a"]]}`: true,
	} {
		var dst struct {
			Name string   `json:"name"`
			IDs  []string `json:"ids"`
		}
		err := Decode(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), 100, &dst)
		if got := errors.Is(err, ErrNotStrings); got != refused || !refused && err != nil {
			t.Errorf("%s: %v, want refused %v", body, err, refused)
		}
	}
	var dst struct {
		Name string `json:"name"`
	}
	err := Decode(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"name":1}`)), 100, &dst)
	if msg := Message(err); msg != "name must be a string" {
		t.Errorf("a string field given a number: %q", msg)
	}
	if msg := Message(fmt.Errorf("ids %w", ErrNotStrings)); msg != "ids must be an array of strings" {
		t.Errorf("message %q", msg)
	}
}

// Bodies that are valid JSON but not one object say so, not "not valid
// JSON".
func TestMessageNamesWhatIsWrongWithTheBody(t *testing.T) {
	for body, want := range map[string]string{
		`null`:   "request body must be a JSON object",
		`[]`:     "request body must be a JSON object",
		`{}{}`:   "request body has trailing data after the JSON object",
		`{} x`:   "request body has trailing data after the JSON object",
		`{"a":`:  "request body is not valid JSON",
		`{"name`: "request body is not valid JSON",
	} {
		var dst struct {
			Name string `json:"name"`
		}
		err := Decode(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body)), 100, &dst)
		if got := Message(err); got != want {
			t.Errorf("%s: %q (%v), want %q", body, got, err, want)
		}
	}
}
