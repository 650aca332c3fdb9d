package main

import (
	"net/http"
	"sync"
)

// mapGuard serialises the goaws actions that change its queue or topic
// maps against every other action. goaws v0.5.4 looks queues up in
// models.SyncQueues.Queues (and topics in SyncTopics.Topics) without its
// lock in CreateQueue, SendMessage, ReceiveMessage, GetQueueUrl, Publish
// and more, while CreateQueue and DeleteQueue write the map under it; a
// read beside a write makes the Go runtime abort the whole process
// ("concurrent map read and map write"), and every later call is refused.
// Tests that create queues from parallel subtests hit exactly that.
//
// The writers take the write lock, every other request a read lock, so
// reads still run side by side. SetQueueAttributes is a writer too: it
// changes the fields (delay, maximum size) that sends read unlocked.
// mapGuard sits innermost, around goaws's router: a long poll's wait
// between its asks (longpoll.go) holds nothing, so a create waits for at
// most one immediate ask. (A query-protocol receive with a wait would
// hold the read lock while goaws waits; hookrelay's SDK speaks JSON,
// whose long polls longPoll turns into immediate asks.)
type mapGuard struct {
	next http.Handler
}

// goawsMaps guards goaws's maps, which are process-wide: one lock for
// every handler built on goaws's router.
var goawsMaps sync.RWMutex

// writers are the actions that change a map (or queue settings) other
// actions read without goaws's lock.
var writers = map[string]bool{
	"CreateQueue":        true,
	"DeleteQueue":        true,
	"SetQueueAttributes": true,
	"CreateTopic":        true,
	"DeleteTopic":        true,
}

func (g mapGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if writers[action(r)] {
		goawsMaps.Lock()
		defer goawsMaps.Unlock()
	} else {
		goawsMaps.RLock()
		defer goawsMaps.RUnlock()
	}
	g.next.ServeHTTP(w, r)
}

// action is the request's action in either protocol: the JSON target
// header, or the query protocol's Action form value, which goaws reads
// the same way (the parsed form stays on the request for goaws).
func action(r *http.Request) string {
	if a := jsonAction(r); a != "" {
		return a
	}
	return r.FormValue("Action")
}
