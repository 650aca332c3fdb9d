package bus

import (
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/message"
)

// A direct producer's entry of message.MaxEntryBytes, with a producer id
// and Resources the API never sends, still fits the ingest queue and the
// ingest DLQ's copy with EventBridge's attributes: the ingest message the
// rule writes, built here by the real encoder with every field of the
// event's own at its largest, is the entry's fields plus what the limit
// keeps back. Its size is the entry's as EventBridge counts it: 14 for
// the time, then Source, DetailType, Detail and each Resources item.
func TestLargestDirectEntryFitsTheIngestQueueAndItsDLQ(t *testing.T) {
	source, detailType := strings.Repeat("s", 256), strings.Repeat("n", 128)
	resources := []string{"arn:aws:s3:::producer-bucket", "arn:aws:s3:::other-bucket"}
	entry := 14 + len(source) + len(detailType)
	for _, r := range resources {
		entry += len(r)
	}
	detailAround := `{"organization_id":"org_a","id":"` + strings.Repeat("p", 2000) + `","data":"` + `"}`
	detail := detailAround[:len(detailAround)-2] + strings.Repeat("x", message.MaxEntryBytes-entry-len(detailAround)) + `"}`
	if entry += len(detail); entry != message.MaxEntryBytes {
		t.Fatalf("the entry is %d bytes, want %d", entry, message.MaxEntryBytes)
	}
	body, err := EncodeRecord(Record{
		Version: "0", ID: "6a7e8feb-b491-4cf7-a9f1-bf3703467718", DetailType: detailType, Source: source,
		Account: "123456789012", Time: time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC),
		Region: strings.Repeat("r", 32), Resources: resources, Detail: []byte(detail),
	})
	if err != nil {
		t.Fatal(err)
	}
	o := message.Overheads()
	ruleDLQAttrs := o["ingest dead letter (rule)"] - o["ingest message"]
	if len(body)+ruleDLQAttrs > message.MessageMax {
		t.Fatalf("ingest message %d bytes + %d of EventBridge's DLQ attributes > %d", len(body), ruleDLQAttrs, message.MessageMax)
	}
}
