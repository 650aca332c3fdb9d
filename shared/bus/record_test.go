package bus

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestParseRecordNamesWhatIsMissing(t *testing.T) {
	const ok = `{"version":"0","id":"u1","detail-type":"emailClick","source":"s","account":"1","time":"2025-04-18T12:00:00Z","region":"us-east-1","resources":[],"detail":{"organization_id":"org_a","data":{"a":1}}}`
	r, d, err := ParseRecord([]byte(ok))
	if err != nil || r.ID != "u1" || d.OrgID != "org_a" || string(d.Data) != `{"a":1}` || d.ID != "" || r.Time.Unix() != 1744977600 {
		t.Fatalf("valid record: %+v %+v %v", r, d, err)
	}
	bad := map[string]string{
		"not an EventBridge event": `{"id":`,
		"missing id":               `{"detail-type":"emailClick","time":"2025-04-18T12:00:00Z","detail":{"organization_id":"o","data":{}}}`,
		"detail-type":              `{"id":"u","time":"2025-04-18T12:00:00Z","detail":{"organization_id":"o","data":{}}}`,
		"missing time":             `{"id":"u","detail-type":"x","detail":{"organization_id":"o","data":{}}}`,
		"missing detail":           `{"id":"u","detail-type":"x","time":"2025-04-18T12:00:00Z"}`,
		"not an object":            `{"id":"u","detail-type":"x","time":"2025-04-18T12:00:00Z","detail":"text"}`,
		"organization_id":          `{"id":"u","detail-type":"x","time":"2025-04-18T12:00:00Z","detail":{"data":{}}}`,
		"detail.data":              `{"id":"u","detail-type":"x","time":"2025-04-18T12:00:00Z","detail":{"organization_id":"o","data":null}}`,
	}
	for want, body := range bad {
		_, _, err := ParseRecord([]byte(body))
		if !errors.Is(err, ErrMalformed) || !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(err.Error()) {
			t.Errorf("%s: err = %v, want ErrMalformed naming %q", body, err, want)
		}
	}
}

// The contract's keys are read exactly: other keys are ignored, whatever
// their case (encoding/json alone would read "ID" as "id", and let it
// overwrite it), and a contract key given twice is refused, since which
// one the producer's pipeline saw cannot be told.
func TestParseRecordReadsTheContractKeysExactly(t *testing.T) {
	record := func(detail string) []byte {
		return []byte(`{"id":"u1","detail-type":"emailClick","source":"s","time":"2025-04-18T12:00:00Z","detail":` + detail + `}`)
	}
	for _, detail := range []string{
		`{"organization_id":"org_a","data":{"n":1},"Organization_ID":"org_b"}`,
		`{"organization_id":"org_a","data":{"n":1},"DATA":{"injected":true}}`,
		`{"organization_id":"org_a","data":{"n":1},"ID":"batch-7","Id":"x"}`,
		`{"ORGANIZATION_ID":"org_b","Data":{},"organization_id":"org_a","data":{"n":1}}`,
	} {
		_, d, err := ParseRecord(record(detail))
		if err != nil || d.OrgID != "org_a" || string(d.Data) != `{"n":1}` || d.ID != "" {
			t.Errorf("%s: org %q data %s id %q, %v; want org_a's {\"n\":1} with no id", detail, d.OrgID, d.Data, d.ID, err)
		}
	}
	for key, detail := range map[string]string{
		"organization_id": `{"organization_id":"org_a","data":{},"organization_id":"org_b"}`,
		"data":            `{"organization_id":"org_a","data":{},"data":{"n":1}}`,
		"id":              `{"organization_id":"org_a","data":{},"id":"a","id":"b"}`,
	} {
		_, _, err := ParseRecord(record(detail))
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), `repeats the key "`+key+`"`) {
			t.Errorf("%s: %v, want ErrMalformed naming the repeated %s", detail, err, key)
		}
	}
	if _, d, err := ParseRecord(record(`{"organization_id":"org_a","data":{},"other":1,"other":2}`)); err != nil || d.OrgID != "org_a" {
		t.Errorf("a repeated ignored key: %v", err)
	}
}

// encoding/json decodes every unpaired surrogate escape to U+FFFD, so
// "k-\ud83d" and "k-\ud83e" would be one idempotency key: the API refuses
// such ids (strictjson.CheckText), and so does the bus.
func TestParseRecordRefusesAProducerIDWithALoneSurrogate(t *testing.T) {
	record := func(id string) []byte {
		return []byte(`{"id":"u1","detail-type":"emailClick","source":"s","time":"2025-04-18T12:00:00Z","detail":{"organization_id":"org_a","data":{},"id":"` + id + `"}}`)
	}
	for _, id := range []string{`k-\ud83d`, `k-\ude00`, `\ud83dk`, `k-\ud83d\ud83d`} {
		_, d, err := ParseRecord(record(id))
		if !errors.Is(err, ErrInvalidProducerID) || !strings.Contains(err.Error(), "unpaired surrogate") || d.OrgID != "org_a" {
			t.Errorf("id %s: %v (org %q), want ErrInvalidProducerID naming the surrogate, and the org", id, err, d.OrgID)
		}
	}
	if _, d, err := ParseRecord(record(`k-\ud83d\ude00`)); err != nil || d.ID != "k-😀" {
		t.Errorf("a surrogate pair: id %q, %v", d.ID, err)
	}
}

// GroupPath, which the ingest rule's target evaluates on the EventBridge
// event, must lead to the organization in the record the bus writes.
func TestGroupPathLeadsToTheOrganization(t *testing.T) {
	detail, err := EncodeDetail(Event{OrgID: "org_group", EventName: "emailClick", Data: json.RawMessage(`{"organization_id":"not this"}`)})
	if err != nil {
		t.Fatal(err)
	}
	body, err := EncodeRecord(Record{Version: "0", ID: "id", DetailType: "emailClick", Source: "s", Detail: detail})
	if err != nil {
		t.Fatal(err)
	}
	var at any
	if err := json.Unmarshal(body, &at); err != nil {
		t.Fatal(err)
	}
	keys, ok := strings.CutPrefix(GroupPath, "$.")
	if !ok {
		t.Fatalf("GroupPath %q is not a JSON path from the event's root", GroupPath)
	}
	for _, k := range strings.Split(keys, ".") {
		obj, isObj := at.(map[string]any)
		if !isObj {
			t.Fatalf("GroupPath %q: no object at %q in %s", GroupPath, k, body)
		}
		at = obj[k]
	}
	if at != "org_group" {
		t.Errorf("GroupPath %q leads to %v in %s, want the organization", GroupPath, at, body)
	}
}
