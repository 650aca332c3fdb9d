package portal

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/message"
)

var (
	expressRaw   = regexp.MustCompile(`express\.raw\(\{[^}]*\}\)`)
	expressLimit = regexp.MustCompile(`limit: "(\d+)(b|kb|mb)"`)
)

// TestExpressLinesAcceptTheLargestDelivery: every express.raw(...) that
// docs/signatures.md and the portal's Node snippet tell tenants to use sets
// a limit of at least a delivery's largest body (the delivery message's
// 256 KiB, which holds the envelope). express.raw's default, 100 KB, would
// answer 413 to a large event, a 4xx that dead-letters it on the first
// attempt. Units as body-parser reads them (1kb = 1024 bytes).
func TestExpressLinesAcceptTheLargestDelivery(t *testing.T) {
	doc, err := os.ReadFile("../../docs/signatures.md")
	if err != nil {
		t.Fatal(err)
	}
	unit := map[string]int{"b": 1, "kb": 1 << 10, "mb": 1 << 20}
	for name, text := range map[string]string{"docs/signatures.md": string(doc), "portal Node snippet": snippetCode(t, "Acme")["js"]} {
		calls := expressRaw.FindAllString(text, -1)
		if len(calls) == 0 {
			t.Errorf("%s: no express.raw({...}) line", name)
		}
		for _, call := range calls {
			m := expressLimit.FindStringSubmatch(call)
			if m == nil {
				t.Errorf("%s: %s sets no limit (express.raw's default is 100 KB)", name, call)
				continue
			}
			n, err := strconv.Atoi(m[1])
			if err != nil || n*unit[strings.ToLower(m[2])] < message.MessageMax {
				t.Errorf("%s: %s allows less than a %d-byte delivery", name, call, message.MessageMax)
			}
		}
	}
}
