package plainjson

import (
	"encoding/json"
	"testing"
)

func TestMarshalKeepsHTMLCharacters(t *testing.T) {
	v := map[string]any{"html": "<a href='x'>&amp;</a>", "n": 1}
	got, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"html":"<a href='x'>&amp;</a>","n":1}`; string(got) != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	// Otherwise it is json.Marshal: the same value, no trailing newline.
	var back map[string]any
	if err := json.Unmarshal(got, &back); err != nil || back["html"] != v["html"] {
		t.Fatalf("round trip: %v %v", back, err)
	}
}

func TestMarshalError(t *testing.T) {
	if _, err := Marshal(make(chan int)); err == nil {
		t.Fatal("a channel encoded")
	}
}
