package dlq

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/message"
)

// A pipeline reason with the endpoint tier selects nothing whatever the
// DLQ holds (parseEntry makes every such letter pipeline-tier): refused,
// naming both, instead of an empty answer or a purge of nothing.
func TestAFilterRefusesTheEndpointTierWithAPipelineReason(t *testing.T) {
	now := time.Now()
	for _, r := range []string{message.ReasonMalformed, message.ReasonMaxReceive} {
		_, err := FilterSpec{Tier: TierEndpoint, Reason: r}.Filter(now)
		if !errors.Is(err, ErrInvalidFilter) || !strings.Contains(err.Error(), `tier "endpoint" and reason "`+r+`"`) {
			t.Errorf("tier endpoint, reason %s: %v, want ErrInvalidFilter naming both", r, err)
		}
		if _, err := Select(FilterSpec{Tier: TierEndpoint, Reason: r, OrgID: "org_a"}, false, now); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("a selection with tier endpoint and reason %s: %v, want ErrInvalidFilter", r, err)
		}
	}
	// The admin API parses through FilterSpec too: no queue is touched.
	h := NewAdminHandler(New(nil, "", nil, nil))
	if status, body := call(t, h, "GET", "/api/v1/admin/dlq?tier=endpoint&reason=malformed_message", ""); status != 400 || errorCode(body) != codeInvalidFilter {
		t.Errorf("admin list: %d %v, want 400 invalid_filter", status, body)
	}
	if status, body := call(t, h, "POST", "/api/v1/admin/dlq/purge", `{"tier":"endpoint","reason":"max_receive_exceeded","confirm":true}`); status != 400 || errorCode(body) != codeInvalidFilter {
		t.Errorf("admin purge: %d %v, want 400 invalid_filter", status, body)
	}
}

// What some dead letter can carry is accepted: each reason with its own
// tier, the pipeline tier with an organization or webhook (a letter SQS
// moved after max receives has its body's), and the pipeline tier with an
// endpoint reason (such a letter whose body this build cannot decode).
func TestAFilterTakesWhatSomeLetterCarries(t *testing.T) {
	body, err := message.Delivery{DeliveryID: "dlv_1", EventID: "evt_1", OrgID: "org_a", WebhookID: "wh_1", EventName: "emailClick", Envelope: `{"id":"evt_1"}`}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	attr := func(reason string) map[string]events.SQSMessageAttribute {
		return map[string]events.SQSMessageAttribute{message.AttrReason: {StringValue: &reason, DataType: "String"}}
	}
	letters := []Entry{
		parseEntry(events.SQSMessage{MessageId: "m1", Body: body}),                                                               // max_receive_exceeded, org_a's wh_1
		parseEntry(events.SQSMessage{MessageId: "m2", Body: `{"v":3}`, MessageAttributes: attr(message.ReasonRetriesExhausted)}), // a newer message version
		parseEntry(events.SQSMessage{MessageId: "m3", Body: body, MessageAttributes: attr(message.ReasonPermanentStatus)}),
		parseEntry(events.SQSMessage{MessageId: "m4", Body: "garbage"}), // malformed_message
	}
	now := time.Now()
	for _, spec := range []FilterSpec{
		{Tier: TierPipeline, OrgID: "org_a", WebhookID: "wh_1"},
		{Tier: TierPipeline, Reason: message.ReasonMaxReceive, WebhookID: "wh_1"},
		{Tier: TierPipeline, Reason: message.ReasonRetriesExhausted},
		{Tier: TierPipeline, Reason: message.ReasonMalformed},
		{Tier: TierEndpoint, Reason: message.ReasonPermanentStatus, OrgID: "org_a"},
	} {
		f, err := spec.Filter(now)
		if err != nil {
			t.Errorf("%+v: %v, want it accepted", spec, err)
			continue
		}
		matched := 0
		for _, e := range letters {
			if f.Matches(e) {
				matched++
			}
		}
		if matched == 0 {
			t.Errorf("%+v matched none of the letters that show it can match", spec)
		}
	}
}
