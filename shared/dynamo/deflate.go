package dynamo

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"sync"
)

// writers keeps flate writers between calls: a new one allocates and
// clears about a megabyte of tables, which cost more than compressing a
// delivery's message (BenchmarkDeflate) and was a fifth of the local
// pipeline's handler CPU, one per attempt logged.
var writers = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestCompression) // the level is valid: no error
	return w
}}

// deflate compresses s for a binary attribute (DynamoDB bills item bytes).
func deflate(s string) []byte {
	var b bytes.Buffer
	w := writers.Get().(*flate.Writer)
	defer writers.Put(w)
	w.Reset(&b)
	_, _ = io.WriteString(w, s) // a bytes.Buffer does not fail
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
