package delivery

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/deliverylog"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

// The attempt log line keeps its keys, order and types: the organization
// first, then the webhook, delivery and event it is about.
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
	if got := strings.Join(keys, ","); got != "time,level,msg,org_id,webhook_id,delivery_id,event_id,event_name,attempt,outcome,status,error_class,reason,retry_in,latency_ms,url" {
		t.Fatalf("keys %s", got)
	}
	for _, frag := range []string{`"level":"INFO"`, `"msg":"delivery attempt"`, `"org_id":"org_a"`, `"attempt":1,`, `"status":204,`, `"error_class":"",`, `"retry_in":0,`,
		`"url":"` + rc.srv.URL + `/…"`} {
		if !strings.Contains(line, frag) {
			t.Errorf("log line lacks %s:\n%s", frag, line)
		}
	}
}
