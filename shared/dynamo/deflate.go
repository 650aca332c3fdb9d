package dynamo

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
)

// deflate compresses s for a binary attribute (DynamoDB bills item bytes).
func deflate(s string) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression) // the level is valid: no error
	_, _ = w.Write([]byte(s))                          // a bytes.Buffer does not fail
	_ = w.Close()
	return b.Bytes()
}

// inflate reverses deflate.
func inflate(b []byte) (string, error) {
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		return "", fmt.Errorf("stored message: %w", err)
	}
	return string(out), nil
}
