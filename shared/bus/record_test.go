package bus

import (
	"errors"
	"regexp"
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
