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

// The path the bus's rule hands EventBridge must name the organization in
// the record fan-out reads, whatever the JSON tags become.
func TestOrgPathNamesTheRecordsOrganization(t *testing.T) {
	detail, err := EncodeDetail(Event{OrgID: "org_path", EventName: "emailClick", Data: json.RawMessage(`{"organization_id":"not_this"}`)})
	if err != nil {
		t.Fatal(err)
	}
	body, err := EncodeRecord(Record{ID: "u1", DetailType: "emailClick", Detail: detail})
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	for _, key := range strings.Split(strings.TrimPrefix(OrgPath, "$."), ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %q is not inside an object in %s", OrgPath, key, body)
		}
		v = obj[key]
	}
	if v != "org_path" {
		t.Fatalf("%s is %v in %s, want the organization", OrgPath, v, body)
	}
}
