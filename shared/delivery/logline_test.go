package delivery

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/hookrelay/hookrelay/shared/testenv"

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
	for _, frag := range []string{`"level":"DEBUG"`, `"msg":"delivery attempt"`, `"org_id":"org_a"`, `"attempt":1,`, `"status":204,`, `"error_class":"",`, `"retry_in":0,`,
		`"url":"` + rc.srv.URL + `/…"`} {
		if !strings.Contains(line, frag) {
			t.Errorf("log line lacks %s:\n%s", frag, line)
		}
	}
}

// TestOnlyDeliveredAttemptsLogAtDebug: at INFO, the stack's default log
// level, a delivered attempt writes no line (its attempt entry records it)
// and an attempt an operator may act on, a retry, writes one.
func TestOnlyDeliveredAttemptsLogAtDebug(t *testing.T) {
	rc := newReceiver(t, false)
	logs := &testenv.Buffer{}
	e := newEnv(t, testConfig(), func(d *Deps) { d.Logger = slog.New(slog.NewJSONHandler(logs, nil)) })
	e.webhooks.put(webhook.Webhook{ID: "wh_ok", OrgID: "org_a", URL: rc.srv.URL + "/status/204", Enabled: true})
	e.webhooks.put(webhook.Webhook{ID: "wh_busy", OrgID: "org_a", URL: rc.srv.URL + "/status/503", Enabled: true})
	if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_ok", "evt_1")}}); err != nil {
		t.Fatal(err)
	}
	if as := e.attempts.list(); len(as) != 1 || as[0].Outcome != deliverylog.OutcomeDelivered {
		t.Fatalf("attempts %+v, want one delivered", as)
	}
	if logs.String() != "" {
		t.Errorf("a delivered attempt logged at INFO:\n%s", logs)
	}
	if _, err := e.h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{sqsMessage(t, "org_a", "wh_busy", "evt_2")}}); err != nil {
		t.Fatal(err)
	}
	if line := logs.String(); !strings.Contains(line, `"level":"INFO","msg":"delivery attempt"`) || !strings.Contains(line, `"outcome":"retrying"`) {
		t.Errorf("a retried attempt did not log at INFO:\n%s", line)
	}
}
