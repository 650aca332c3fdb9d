package healthnotice_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/catalog/catalogtest"
	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/healthnotice"
	"github.com/hookrelay/hookrelay/shared/ids"
	"github.com/hookrelay/hookrelay/shared/message"
	"github.com/hookrelay/hookrelay/shared/webhook"
)

type recordingBus struct {
	got []bus.Event
	err error
}

func (b *recordingBus) Put(_ context.Context, evs []bus.Event) error {
	b.got = append(b.got, evs...)
	return b.err
}

// TestNoticesMatchTheCatalog: what the pipeline publishes validates against
// the catalog types a tenant subscribes to, and names the endpoint.
func TestNoticesMatchTheCatalog(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	w := webhook.Webhook{
		ID: "wh_01jd3k4m5n6p7q8r9s0t1v2w3x", OrgID: "org_a", Name: "CRM", DisabledReason: webhook.DisabledFailing, DisabledAt: at,
		Health: webhook.Health{ConsecutiveFailures: 21, FailingSince: at.Add(-120 * time.Hour)},
	}
	b := &recordingBus{}
	p := healthnotice.Publisher{Bus: b}
	if err := p.Disabled(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if err := p.Enabled(context.Background(), w, healthnotice.ReasonRecovered, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(b.got) != 2 {
		t.Fatalf("put %d events, want 2", len(b.got))
	}
	for i, want := range []string{healthnotice.Disabled, healthnotice.Enabled} {
		ev := b.got[i]
		if ev.EventName != want || ev.OrgID != "org_a" || !ids.Valid(ids.EventPrefix, ev.EventID) {
			t.Errorf("event %d: %+v", i, ev)
		}
		if err := catalogtest.Default(t).Validate(ev.EventName, ev.Data); err != nil {
			t.Errorf("%s data %s: %v", ev.EventName, ev.Data, err)
		}
		var data map[string]any
		if err := json.Unmarshal(ev.Data, &data); err != nil || data["webhook_id"] != w.ID {
			t.Errorf("%s does not name the endpoint: %s", ev.EventName, ev.Data)
		}
	}
	var d map[string]any
	_ = json.Unmarshal(b.got[0].Data, &d)
	if d["reason"] != "failing" || d["consecutive_failures"] != float64(21) || d["failing_since"] != "2026-11-23T10:00:00Z" {
		t.Errorf("disabled data %s", b.got[0].Data)
	}
	if !healthnotice.IsNotice(healthnotice.Disabled) || !healthnotice.IsNotice(healthnotice.Enabled) || healthnotice.IsNotice("webhook.test") {
		t.Error("IsNotice")
	}
}

func TestPublishErrorNamesTheNotice(t *testing.T) {
	b := &recordingBus{err: errors.New("throttled")}
	err := healthnotice.Publisher{Bus: b}.Enabled(context.Background(), webhook.Webhook{ID: "wh_x", OrgID: "org_a"}, healthnotice.ReasonTenant, time.Now())
	if err == nil || !errors.Is(err, b.err) {
		t.Fatalf("error %v", err)
	}
}

// A name stored before U+FFFE/U+FFFF were refused in names must not make
// the notice about its endpoint something SQS refuses (on AWS, EventBridge
// would drop it; fan-out dead-letters it).
func TestNoticesCarryOnlyTextSQSAccepts(t *testing.T) {
	w := webhook.Webhook{ID: "wh_01jd3k4m5n6p7q8r9s0t1v2w3x", OrgID: "org_a", Name: "CRM \uffff\ufffe", DisabledReason: webhook.DisabledFailing, DisabledAt: time.Now()}
	b := &recordingBus{}
	p := healthnotice.Publisher{Bus: b}
	if err := p.Disabled(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if err := p.Enabled(context.Background(), w, healthnotice.ReasonRecovered, time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, ev := range b.got {
		if err := message.CheckData(ev.Data); err != nil {
			t.Errorf("%s data %s: %v", ev.EventName, ev.Data, err)
		}
		var d struct{ Name string }
		if err := json.Unmarshal(ev.Data, &d); err != nil || d.Name != "CRM \ufffd\ufffd" {
			t.Errorf("%s name %q, %v; want the refused characters as U+FFFD", ev.EventName, d.Name, err)
		}
	}
}
