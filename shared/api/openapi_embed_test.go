package api

import (
	"bytes"
	"os"
	"testing"
)

// The api binary carries openapi.json compressed; it must be the source's
// current text.
func TestEmbeddedOpenAPIIsTheSource(t *testing.T) {
	src, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(openAPISpec(), src) {
		t.Fatal("openapi.json.gz is not openapi.json compressed: run make generate")
	}
}
