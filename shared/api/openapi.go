package api

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/hookrelay/hookrelay/shared/auth"
)

// openAPISpecGzip is openapi.json compressed by `make generate`: the
// document is 70 KB of indented JSON, which the api binary's size budget
// cannot spare, and 12 KB compressed. A test checks it is the source's.
//
//go:embed openapi.json.gz
var openAPISpecGzip []byte

// openAPISpec documents every route in routes(); a test loads it with
// kin-openapi and checks both directions. It is decompressed on first
// use, not at package init: few invocations serve it, and doing it at
// start added about a millisecond to each cold start of the api.
var openAPISpec = sync.OnceValue(func() []byte { return gunzip(openAPISpecGzip) })

// gunzip decompresses the embedded document.
func gunzip(b []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		panic(fmt.Sprintf("openapi.json.gz: %v", err))
	}
	doc, err := io.ReadAll(r)
	if err != nil {
		panic(fmt.Sprintf("openapi.json.gz: %v", err))
	}
	return doc
}

// The document is served with its servers set to where the caller reached
// it, as the portal link is: OpenAPI resolves a server path against the
// host alone, so a fixed "/" would miss a named stage's /<stage>/ prefix.
// The embedded bytes are split once around the servers value.
var specParts = sync.OnceValues(func() ([]byte, []byte) { return splitAtServers(openAPISpec()) })

// splitAtServers returns the document up to its top-level "servers" key
// and after that key's value (the ':' between them left out).
func splitAtServers(doc []byte) ([]byte, []byte) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		panic(fmt.Sprintf("openapi.json is not a JSON object: %v", err))
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			panic(fmt.Sprintf("openapi.json: %v", err))
		}
		start := dec.InputOffset()
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			panic(fmt.Sprintf("openapi.json: %v", err))
		}
		if key == "servers" {
			return doc[:start], doc[dec.InputOffset():]
		}
	}
	panic("openapi.json has no servers")
}

func (s *server) openAPI(w http.ResponseWriter, r *http.Request, _ auth.Principal) error {
	servers, err := json.Marshal([]map[string]string{{"url": publicRoot(r)}})
	if err != nil {
		return err
	}
	specHead, specTail := specParts()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(specHead)
	_, _ = w.Write([]byte(": "))
	_, _ = w.Write(servers)
	_, _ = w.Write(specTail)
	return nil
}
