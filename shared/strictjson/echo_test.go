package strictjson

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A key the client sent is named in the error, but only its start: a
// body of 1 MB with a 900 KB key name must not come back (or reach a log)
// inside the message.
func TestErrorsNameOnlyTheStartOfAKey(t *testing.T) {
	key := "k" + strings.Repeat("x", 10_000)
	for what, body := range map[string]string{
		"unknown field":            `{"name":"a","` + key + `":1}`,
		"repeated key in the data": `{"name":"a","data":{"` + key + `":1,"` + key + `":2}}`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		var dst struct {
			Name string         `json:"name"`
			Data map[string]any `json:"data"`
		}
		err := Decode(httptest.NewRecorder(), r, 1<<20, &dst)
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		msg := Message(err)
		if len(msg) > 200 || len(err.Error()) > 200 || !strings.Contains(msg, `"kxxxxxxxxx`) {
			t.Errorf("%s: %d-byte message %.300q (error %d bytes), want under 200 bytes naming the key's start", what, len(msg), msg, len(err.Error()))
		}
	}
	for what, err := range map[string]error{
		"CheckRepeatedKeys": CheckRepeatedKeys([]byte(`{"` + key + `":1,"` + key + `":2}`)),
		"Members":           func() error { _, err := Members([]byte(`{"`+key+`":1,"`+key+`":2}`), key); return err }(),
	} {
		if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), `"kxxxxxxxxx`) {
			t.Errorf("%s: %.300v, want under 200 bytes naming the key's start", what, err)
		}
	}
}
