package poller

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func batchOf(ids ...string) []events.SQSMessage {
	out := make([]events.SQSMessage, 0, len(ids))
	for _, id := range ids {
		out = append(out, events.SQSMessage{MessageId: id, ReceiptHandle: "rh-" + id})
	}
	return out
}

func failures(ids ...string) events.SQSEventResponse {
	var r events.SQSEventResponse
	for _, id := range ids {
		r.BatchItemFailures = append(r.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
	}
	return r
}

func idsOf(ms []events.SQSMessage) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.MessageId)
	}
	return out
}

func TestSettle(t *testing.T) {
	boom := errors.New("boom")
	cases := []struct {
		name       string
		resp       events.SQSEventResponse
		handlerErr error
		want       []string
		wantErr    error
	}{
		{name: "all succeed", want: []string{"a", "b", "c"}},
		{name: "partial failure keeps the failed", resp: failures("b"), want: []string{"a", "c"}},
		{name: "a failure listed twice counts once", resp: failures("b", "b"), want: []string{"a", "c"}},
		{name: "all failed", resp: failures("a", "b", "c"), want: []string{}},
		{name: "handler error deletes nothing", resp: failures("a"), handlerErr: boom, wantErr: boom},
		{name: "unknown identifier fails the batch", resp: failures("a", "zzz"), wantErr: errUnknownItem},
		{name: "empty identifier fails the batch", resp: failures(""), wantErr: errUnknownItem},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			done, err := settle(batchOf("a", "b", "c"), tc.resp, tc.handlerErr)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || done != nil {
					t.Fatalf("settle = %v, %v; want nothing deleted and %v", idsOf(done), err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("settle: %v", err)
			}
			if got := idsOf(done); !slices.Equal(got, tc.want) {
				t.Fatalf("deleted %v, want %v", got, tc.want)
			}
		})
	}
}
