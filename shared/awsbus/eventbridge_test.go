package awsbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/hookrelay/hookrelay/shared/awsclient"
	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/bus/bustest"
)

// wireEntry is a PutEvents request entry as it travels on the wire.
type wireEntry struct {
	EventBusName string
	Source       string
	DetailType   string
	Detail       string
	Time         *float64 // epoch seconds in the JSON 1.1 protocol
}

// fakeEventBridge speaks the PutEvents JSON 1.1 protocol. reject decides
// per entry (and per request number) whether to answer with an error code.
type fakeEventBridge struct {
	t      *testing.T
	reject func(call int, e wireEntry) bool
	mu     sync.Mutex
	calls  [][]wireEntry
}

func (f *fakeEventBridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("X-Amz-Target"); got != "AWSEvents.PutEvents" {
		f.t.Errorf("X-Amz-Target = %q", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/x-amz-json-1.1" {
		f.t.Errorf("Content-Type = %q", got)
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		f.t.Errorf("request not SigV4-signed: %q", r.Header.Get("Authorization"))
	}
	raw, _ := io.ReadAll(r.Body)
	var in struct{ Entries []wireEntry }
	if err := json.Unmarshal(raw, &in); err != nil {
		f.t.Errorf("request body %s: %v", raw, err)
	}
	f.mu.Lock()
	call := len(f.calls)
	f.calls = append(f.calls, in.Entries)
	f.mu.Unlock()

	type result struct {
		EventId      string `json:",omitempty"`
		ErrorCode    string `json:",omitempty"`
		ErrorMessage string `json:",omitempty"`
	}
	out := struct {
		FailedEntryCount int
		Entries          []result
	}{}
	for i, e := range in.Entries {
		if f.reject != nil && f.reject(call, e) {
			out.FailedEntryCount++
			out.Entries = append(out.Entries, result{ErrorCode: "ThrottlingException", ErrorMessage: "Rate exceeded"})
			continue
		}
		out.Entries = append(out.Entries, result{EventId: fmt.Sprintf("eb-%d-%d", call, i)})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func newFakeBus(t *testing.T, reject func(int, wireEntry) bool) (*EventBridge, *fakeEventBridge) {
	t.Helper()
	fake := &fakeEventBridge{t: t, reject: reject}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg, err := awsclient.Local(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	client := eventbridge.NewFromConfig(cfg, func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	b := NewEventBridge(client, "hookrelay-test")
	b.Backoff = time.Millisecond
	return b, fake
}

func decodeDetail(t *testing.T, s string) bus.Detail {
	t.Helper()
	var d bus.Detail
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("detail %s: %v", s, err)
	}
	return d
}

func TestEventBridgePutBatchesOfTenWithTheContractShape(t *testing.T) {
	b, fake := newFakeBus(t, nil)
	evs := bustest.SampleEvents(25)
	evs[3].Source = "com.example.mailer"
	if err := b.Put(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if len(fake.calls) != 3 || len(fake.calls[0]) != 10 || len(fake.calls[1]) != 10 || len(fake.calls[2]) != 5 {
		t.Fatalf("requests = %d, want 10+10+5 entries", len(fake.calls))
	}
	i := 0
	for _, call := range fake.calls {
		for _, e := range call {
			want := evs[i]
			if e.EventBusName != "hookrelay-test" || e.DetailType != "emailClick" {
				t.Errorf("entry %d: bus %q detail-type %q", i, e.EventBusName, e.DetailType)
			}
			if wantSrc := map[bool]string{true: "com.example.mailer", false: bus.DefaultSource}[i == 3]; e.Source != wantSrc {
				t.Errorf("entry %d: source %q, want %q", i, e.Source, wantSrc)
			}
			if e.Time == nil || int64(*e.Time) != want.Time.Unix() {
				t.Errorf("entry %d: time %v, want %d", i, e.Time, want.Time.Unix())
			}
			d := decodeDetail(t, e.Detail)
			if d.OrgID != "org_a" || d.ID != want.EventID || string(d.Data) != string(want.Data) {
				t.Errorf("entry %d: detail %s, want data %s id %s", i, e.Detail, want.Data, want.EventID)
			}
			i++
		}
	}
}

func TestEventBridgeRetriesOnlyRejectedEntries(t *testing.T) {
	// Entries 2 and 7 are throttled on the first request only.
	b, fake := newFakeBus(t, func(call int, e wireEntry) bool {
		id := decodeDetail(t, e.Detail).ID
		return call == 0 && (id == "evt_002" || id == "evt_007")
	})
	if err := b.Put(context.Background(), bustest.SampleEvents(10)); err != nil {
		t.Fatalf("Put after transient rejections: %v", err)
	}
	if len(fake.calls) != 2 {
		t.Fatalf("requests = %d, want 2 (the batch, then the 2 rejected entries)", len(fake.calls))
	}
	var retried []string
	for _, e := range fake.calls[1] {
		retried = append(retried, decodeDetail(t, e.Detail).ID)
	}
	if strings.Join(retried, ",") != "evt_002,evt_007" {
		t.Fatalf("retried %v, want only evt_002,evt_007", retried)
	}
}

func TestEventBridgeReportsEntriesStillRejectedAfterRetries(t *testing.T) {
	b, fake := newFakeBus(t, func(_ int, e wireEntry) bool {
		return decodeDetail(t, e.Detail).ID == "evt_011"
	})
	b.Retries = 2
	err := b.Put(context.Background(), bustest.SampleEvents(15))
	var perr *bus.PutError
	if !errors.As(err, &perr) {
		t.Fatalf("err = %v, want *PutError", err)
	}
	if len(perr.Failed) != 1 || perr.Failed[0].EventID != "evt_011" || perr.Total != 15 || perr.Tries != 3 {
		t.Fatalf("PutError = %+v", perr)
	}
	if !strings.Contains(err.Error(), "1 of 15 events not put after 3 tries") || !strings.Contains(err.Error(), "ThrottlingException") {
		t.Fatalf("error message %q does not say how many failed and why", err)
	}
	// First batch (10) once; second batch (5) then the bad entry twice more.
	if len(fake.calls) != 4 || len(fake.calls[3]) != 1 {
		t.Fatalf("requests = %d", len(fake.calls))
	}
}

func TestEventBridgeSplitsRequestsBySize(t *testing.T) {
	b, fake := newFakeBus(t, nil)
	big := strings.Repeat("x", 100*1024)
	evs := bustest.SampleEvents(5)
	for i := range evs {
		evs[i].Data = json.RawMessage(`{"blob":"` + big + `"}`)
	}
	if err := b.Put(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	// Two ~100 KiB entries fit in 256 KiB, three do not.
	if len(fake.calls) != 3 || len(fake.calls[0]) != 2 || len(fake.calls[2]) != 1 {
		t.Fatalf("requests %d, want 2+2+1 entries", len(fake.calls))
	}

	evs[0].Data = json.RawMessage(`{"blob":"` + strings.Repeat("x", bus.MaxRequestBytes) + `"}`)
	if err := b.Put(context.Background(), evs[:1]); !errors.Is(err, bus.ErrTooLarge) {
		t.Fatalf("oversized event: err = %v, want ErrTooLarge", err)
	}
}

func TestEventBridgeRejectsInvalidData(t *testing.T) {
	b, fake := newFakeBus(t, nil)
	err := b.Put(context.Background(), []bus.Event{{OrgID: "org_a", EventName: "emailClick", Data: json.RawMessage(`{"a":`)}})
	if err == nil || len(fake.calls) != 0 {
		t.Fatalf("invalid JSON data: err=%v requests=%d, want an error before any request", err, len(fake.calls))
	}
}
