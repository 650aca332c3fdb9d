// Package plainjson encodes JSON the way a webhook's bytes must travel:
// as encoding/json does, but without its HTML escaping.
package plainjson

import (
	"bytes"
	"encoding/json"
)

// Marshal is json.Marshal without HTML escaping, which would rewrite "<",
// ">" and "&" inside a producer's data as six-byte \u escapes: receivers
// see the producer's text as sent, and every hop's size limit counts the
// bytes the producer counted.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
