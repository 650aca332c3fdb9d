package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// readResponse must consume and keep exactly what
// io.ReadAll(io.LimitReader(body, maxResponseRead)) did.
func TestReadResponseMatchesReadAll(t *testing.T) {
	sizes := []int{0, 1, maxExcerpt - 1, maxExcerpt, maxExcerpt + 1, 5000, maxResponseRead - 1, maxResponseRead, maxResponseRead + 1, 3 * maxResponseRead}
	for _, n := range sizes {
		for _, wrap := range []struct {
			name string
			f    func(io.Reader) io.Reader
		}{
			{"plain", func(r io.Reader) io.Reader { return r }},
			{"onebyte", iotest.OneByteReader},
			{"error", func(r io.Reader) io.Reader {
				return io.MultiReader(io.LimitReader(r, int64(n/2)), iotest.ErrReader(errors.New("reset")))
			}},
		} {
			data := bytes.Repeat([]byte("aé"), n)[:n]
			ref := wrap.f(bytes.NewReader(data))
			want, _ := io.ReadAll(io.LimitReader(ref, maxResponseRead))
			src := bytes.NewReader(data)
			got := readResponse(wrap.f(src))
			if got != excerpt(want) {
				t.Errorf("%d bytes, %s: excerpt differs", n, wrap.name)
			}
			if wrap.name == "plain" && int(src.Size())-src.Len() != len(want) {
				t.Errorf("%d bytes: consumed %d, want %d", n, int(src.Size())-src.Len(), len(want))
			}
		}
	}
}

// The attempt log line keeps its keys, order and types.
func TestAttemptLogLine(t *testing.T) {
	rc := newReceiver(t, false)
	e := newEnv(t, testConfig(), nil)
	e.webhooks.put(webhook.Webhook{ID: "wh_ok", OrgID: "org_a", URL: rc.srv.URL + "/status/204?token=x", Enabled: true})
	checkOne(t, e, sqsMessage(t, "org_a", "wh_ok", "evt_1"), want{outcome: deliverylog.OutcomeDelivered, status: 204})
	line := strings.TrimSpace(e.logs.String())
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	var keys []string
	tok, _ := dec.Token()
	for dec.More() && tok != nil {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(keys, ","); got != "time,level,msg,event,event_id,delivery_id,webhook_id,attempt,outcome,status,error_class,reason,retry_in,latency_ms,url" {
		t.Fatalf("keys %s", got)
	}
	for _, frag := range []string{`"level":"INFO"`, `"msg":"delivery attempt"`, `"attempt":1,`, `"status":204,`, `"error_class":"",`, `"retry_in":0,`,
		`"url":"` + rc.srv.URL + `/…"`} {
		if !strings.Contains(line, frag) {
			t.Errorf("log line lacks %s:\n%s", frag, line)
		}
	}
}
