package catalog

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hookrelay/hookrelay/shared/message"
)

// BenchmarkValidateWorstNumbers validates the costliest data the number
// bounds (message.CheckData) let through: message.MaxNumbers of the
// largest short literal, 1e400 (an exact 10^400 for the validator), in an
// integer array with a minimum, next to as many small integers and
// -1e-400, as many of the longest literals allowed as fit in the largest
// data, and the default catalog's smtp_code.
func BenchmarkValidateWorstNumbers(b *testing.B) {
	own := orderCatalog(b)
	array := func(lit string) json.RawMessage {
		n := min(message.MaxNumbers, (message.MaxDataBytes-len(`{"quantities":[]}`)+1)/(len(lit)+1))
		return json.RawMessage(`{"quantities":[` + strings.Repeat(lit+",", n-1) + lit + `]}`)
	}
	smtp := func(code string) json.RawMessage {
		return json.RawMessage(`{"email":"a@b.co","message_id":"m","reason":"r","occurred_at":"2026-01-01T00:00:00Z","smtp_code":` + code + `}`)
	}
	def, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, typ string
		cat       *Catalog
		data      json.RawMessage
	}{
		{"10,000 of 1", "order", own, array("1")},
		{"10,000 of 1e400", "order", own, array("1e400")},
		{"10,000 of -1e-400", "order", own, array("-1e-400")},
		{"3,985 of 64-char -1.33…e-400", "order", own, array("-1." + strings.Repeat("3", 56) + "e-400")},
		{"smtp_code 550", "emailSoftBounce", def, smtp("550")},
		{"smtp_code 1e400", "emailSoftBounce", def, smtp("1e400")},
		{"smtp_code 64-char -9.99…e-400", "emailSoftBounce", def, smtp("-9." + strings.Repeat("9", 56) + "e-400")},
	} {
		if err := message.CheckData(c.data); err != nil {
			b.Fatalf("%s: outside the bounds: %v", c.name, err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			for b.Loop() {
				_ = c.cat.Validate(c.typ, c.data)
			}
		})
	}
}

// orderCatalog has the type "order", whose data holds an integer array
// with a minimum: each item costs the validator an exact fraction.
func orderCatalog(tb testing.TB) *Catalog {
	tb.Helper()
	fsys := minimalCatalog()
	fsys["order.schema.json"] = &fstest.MapFile{Data: []byte(`{"description":"An order.","type":"object",
		"properties":{"quantities":{"type":"array","items":{"type":"integer","minimum":0}}}}`)}
	fsys["order.example.json"] = &fstest.MapFile{Data: []byte(`{"quantities":[1]}`)}
	own, err := Load(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	return own
}

// BenchmarkIntegerArrayBody is what the API spends on the data of a
// 200 KB integer array of small numbers before it answers: the pipeline's
// bounds (message.CheckData), then the schema if the bounds let it through.
func BenchmarkIntegerArrayBody(b *testing.B) {
	own := orderCatalog(b)
	data := json.RawMessage(`{"quantities":[` + strings.Repeat("1,", 99_999) + `1]}`)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if message.CheckData(data) == nil {
			_ = own.Validate("order", data)
		}
	}
}
