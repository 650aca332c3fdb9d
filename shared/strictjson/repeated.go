package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/hookrelay/hookrelay/shared/phrase"
)

// jsonFrame is one open object or array of CheckRepeatedKeys' walk.
type jsonFrame struct {
	keys    map[string]bool // nil for an array
	wantKey bool            // an object expects a key (or its end) next
}

// CheckRepeatedKeys reports (as ErrRepeatedKey, naming it) the first
// object at any depth of the JSON text b that holds one key twice: a
// schema validated the last value while a receiver's parser may read the
// first, so what reaches an endpoint would not be what was checked.
func CheckRepeatedKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var stack []*jsonFrame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey {
			if key, ok := tok.(string); ok {
				if stack[n-1].keys[key] {
					return fmt.Errorf("%w %s", ErrRepeatedKey, phrase.Quote(key))
				}
				stack[n-1].keys[key], stack[n-1].wantKey = true, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &jsonFrame{keys: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &jsonFrame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: the object around it expects its next key.
		if n := len(stack); n > 0 && stack[n-1].keys != nil {
			stack[n-1].wantKey = true
		}
	}
}
