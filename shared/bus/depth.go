package bus

import (
	"bytes"
	"encoding/json"
)

// DataDepth is how deep detail.data nests in an ingest message body (0 for
// a scalar), for a body too deep for encoding/json to decode: a token walk
// has no depth limit. ok is false when body is not valid JSON or has no
// detail.data.
func DataDepth(body []byte) (depth int, ok bool) {
	type frame struct {
		object, wantKey bool
		key             string
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []frame
	in := -1 // len(stack) when detail.data's value opened
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey && tok != json.Delim('}') {
			stack[n-1].key, stack[n-1].wantKey = tok.(string), false
			continue
		}
		atData := in < 0 && len(stack) == 2 && stack[0].key == "detail" && stack[1].object && stack[1].key == "data"
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if atData {
				in = len(stack)
			}
			stack = append(stack, frame{object: tok == json.Delim('{'), wantKey: tok == json.Delim('{')})
			if in >= 0 {
				depth = max(depth, len(stack)-in)
			}
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == in {
				return depth, true
			}
		default:
			if atData {
				return 0, true
			}
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true // the member's value ended
		}
	}
}
