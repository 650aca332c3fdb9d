package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path"
	"slices"

	"github.com/Admiral-Piett/goaws/app/models"
)

// fairOrder models SQS fair queues, which goaws lacks. On AWS a standard
// queue whose messages carry a MessageGroupId is a fair queue: a group with
// a backlog (or many messages in flight) does not raise the other groups'
// dwell time. goaws hands out a standard queue's messages in the order they
// were sent, so one tenant's thousands of messages would hold another's
// single message behind them. Before each ReceiveMessage, fairOrder orders
// the queue so that a message's place is the number of messages of its
// group ahead of it, received ones included: the first message of every
// group comes before the second of any, and a group with many messages in
// flight yields to one with none. Order within a group is kept, messages
// without a group form one group (a queue without groups is never
// reordered), and FIFO queues are left to goaws.
type fairOrder struct {
	next http.Handler
}

func (f fairOrder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if jsonAction(r) == "ReceiveMessage" {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct{ QueueUrl string }
		if json.Unmarshal(body, &in) == nil && in.QueueUrl != "" {
			orderFairly(path.Base(in.QueueUrl))
		}
	}
	f.next.ServeHTTP(w, r)
}

// orderFairly reorders the named standard queue's messages by their rank
// in their group, keeping the order of equal ranks.
func orderFairly(queueName string) {
	models.SyncQueues.Lock()
	defer models.SyncQueues.Unlock()
	q, ok := models.SyncQueues.Queues[queueName]
	if !ok || q.IsFIFO || len(q.Messages) < 2 {
		return
	}
	seen := map[string]int{}
	rank := make(map[string]int, len(q.Messages)) // message id → messages of its group ahead of it
	sorted := true
	last := 0
	for _, m := range q.Messages {
		rank[m.Uuid] = seen[m.GroupID]
		seen[m.GroupID]++
		sorted = sorted && rank[m.Uuid] >= last
		last = rank[m.Uuid]
	}
	if sorted || len(seen) < 2 {
		return
	}
	slices.SortStableFunc(q.Messages, func(a, b models.SqsMessage) int {
		return rank[a.Uuid] - rank[b.Uuid]
	})
}
