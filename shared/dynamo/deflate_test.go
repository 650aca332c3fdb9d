package dynamo

import (
	"bytes"
	"compress/flate"
	"strings"
	"sync"
	"testing"
)

// A pooled writer compresses exactly as a new one does, whatever it
// compressed before, from any goroutine, and inflate gets the text back.
func TestDeflateFromThePoolMatchesANewWriter(t *testing.T) {
	fresh := func(s string) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.BestCompression)
		_, _ = w.Write([]byte(s))
		_ = w.Close()
		return b.Bytes()
	}
	texts := []string{"", "a", `{"id":"evt_1","type":"emailOpen","data":{"to":"ada@example.com"}}`, strings.Repeat("hookrelay ", 20000)}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				s := texts[(g+i)%len(texts)]
				got := deflate(s)
				if !bytes.Equal(got, fresh(s)) {
					t.Errorf("deflate of %d bytes differs from a new writer's", len(s))
					return
				}
				back, err := inflate(got)
				if err != nil || back != s {
					t.Errorf("inflate(deflate(%d bytes)) = %d bytes, %v", len(s), len(back), err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkDeflate compresses a delivery message the size of the cost
// scenarios' (the catalog's new-contact sample in its queue message).
func BenchmarkDeflate(b *testing.B) {
	msg := `{"event_id":"evt_01JXYZ","org_id":"org_1","event_name":"new-contact","envelope":"` +
		strings.Repeat(`{\"contact\":{\"email\":\"ada@example.com\",\"name\":\"Ada Lovelace\"},\"source\":\"form\"}`, 5) + `"}`
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		deflate(msg)
	}
}
