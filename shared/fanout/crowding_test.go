package fanout

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hookrelay/hookrelay/shared/bus"
	"github.com/hookrelay/hookrelay/shared/lanes"
	"github.com/hookrelay/hookrelay/shared/message"
)

// An organization that has sent a lane a full batch and more than another
// keeps that lane; the other's deliveries go around it, so a hanging
// endpoint of the first can hold only the lane it crowds. With home lanes
// only, both would share it.
func TestALighterOrganizationsDeliveriesGoAroundALaneAnotherCrowds(t *testing.T) {
	l := lanes.Lanes{"lane0", "lane1", "lane2", "lane3"}
	busy, light := "org_busy", ""
	for i := 0; light == ""; i++ {
		if org := fmt.Sprintf("org_%d", i); l.For(org) == l.For(busy) {
			light = org
		}
	}
	home := l.For(busy)
	q := &recordingQueue{}
	h := NewHandler(Deps{
		Webhooks: pagedStore{pages: []int{1}}, Queue: q, KnownEvent: func(string) bool { return true },
		DeliveryQueues: l, LaneWindow: time.Minute, IngestDLQURL: "dlq", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	handle := func(orgs ...string) {
		t.Helper()
		var recs []events.SQSMessage
		for i, org := range orgs {
			detail, _ := json.Marshal(map[string]any{"organization_id": org, "data": map[string]any{}})
			recs = append(recs, record(t, fmt.Sprint(i), bus.Record{ID: fmt.Sprintf("e%d", i), DetailType: "emailClick", Time: time.Now().UTC(), Detail: detail}))
		}
		if resp, _ := h.Handle(context.Background(), events.SQSEvent{Records: recs}); len(resp.BatchItemFailures) != 0 {
			t.Fatal(resp.BatchItemFailures)
		}
	}
	burst := make([]string, lanes.Heavy)
	for i := range burst {
		burst[i] = busy
	}
	handle(burst...)
	handle(light, busy)

	sentTo := map[string]map[string]int{} // org → lane → deliveries
	for i, b := range q.batches {
		for _, m := range b {
			d, err := message.Decode(m.Body)
			if err != nil {
				t.Fatal(err)
			}
			if sentTo[d.OrgID] == nil {
				sentTo[d.OrgID] = map[string]int{}
			}
			sentTo[d.OrgID][q.urls[i]]++
		}
	}
	if n := sentTo[busy][home]; n != lanes.Heavy+1 {
		t.Errorf("the busy organization's deliveries went to %v, want all %d on its lane %s", sentTo[busy], lanes.Heavy+1, home)
	}
	if n := sentTo[light][home]; n != 0 || len(sentTo[light]) != 1 {
		t.Errorf("the light organization's delivery went to %v, want one lane other than %s", sentTo[light], home)
	}
}
