package strictjson

import (
	"errors"
	"strings"
	"testing"
)

// encoding/json matches keys to struct fields ignoring case and lets a
// later key overwrite an earlier one: a body's "DATA" or second "data"
// would replace the "data" the client's own tools saw.
func TestDecodeMatchesKeysExactly(t *testing.T) {
	for _, body := range []string{`{"NAME":"x"}`, `{"name":"x","Name":"y"}`} {
		if err := decode(body, 100); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("%s: %v, want an unknown field", body, err)
		}
	}
	if err := decode(`{"name":"x","name":"y"}`, 100); !errors.Is(err, ErrRepeatedKey) || !strings.Contains(err.Error(), `"name"`) {
		t.Errorf("a repeated key: %v, want ErrRepeatedKey naming it", err)
	}
}

func TestMembersReadsTheWantedKeysExactly(t *testing.T) {
	m, err := Members([]byte(`{"id":"a","ID":"b","Id":"c","other":1,"other":2,"\u0064ata":{"n":1}}`), "id", "data")
	if err != nil || len(m) != 2 || string(m["id"]) != `"a"` || string(m["data"]) != `{"n":1}` {
		t.Fatalf("members %v, %v", m, err)
	}
	if _, err := Members([]byte(`{"id":"a","data":1,"id":"b"}`), "id", "data"); !errors.Is(err, ErrRepeatedKey) || !strings.Contains(err.Error(), `"id"`) {
		t.Errorf("a repeated wanted key: %v, want ErrRepeatedKey naming it", err)
	}
	for _, b := range []string{`"text"`, `[]`, `{"id":`} {
		if _, err := Members([]byte(b), "id"); err == nil {
			t.Errorf("%s: no error", b)
		}
	}
}
