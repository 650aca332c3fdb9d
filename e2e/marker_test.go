package e2e

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/testenv"
)

// patience is how long a test waits for a state before it fails: far
// beyond the seconds the pipeline needs, so a loaded machine makes a test
// slower, never red.
const patience = time.Minute

// markerCampaign tags marker events: receivers answer them 200 and keep
// them apart from the deliveries a test counts, and tenant.attempts leaves
// them out of the attempt log.
const markerCampaign = "cmp_e2e_marker"

// markerData is the usual data of eventName tagged as a marker.
func markerData(eventName string) json.RawMessage {
	data, ok := map[string]json.RawMessage{"emailClick": clickData, "emailOpen": openData}[eventName]
	if !ok {
		panic("no marker data for " + eventName)
	}
	return json.RawMessage(strings.Replace(string(data), `"campaign_id":"cmp_spring"`, `"campaign_id":"`+markerCampaign+`"`, 1))
}

// drained proves the pipeline has carried everything published so far as
// far as the receivers rs: it publishes a marker event of eventName (which
// their webhooks subscribe to) through the API and waits until each got it.
// A test checks that nothing more arrived after drained, never after a
// fixed sleep that a slow machine outlasts.
//
// Why a marker proves it: fan-out queues all deliveries of an event in one
// batch, so once any arrived, any other (a duplicate, or one to the wrong
// endpoint) was already queued. The marker is queued after it, and goaws
// hands out a queue's visible messages oldest first, so that delivery was
// taken no later than the marker. Retries are different: a message waiting
// out its backoff is not visible, so for those a test first waits for the
// state that ends them (delivered, dead-lettered, removed).
// It returns the marker's event id.
func (tn *tenant) drained(eventName string, rs ...*receiver) string {
	tn.t.Helper()
	return tn.awaitMarker(func() string { return tn.publishRaw(eventName, markerData(eventName)) }, rs...)
}

// awaitMarker publishes a marker with publish (which returns its event id)
// and waits until every receiver in rs got it. It returns the marker's id.
func (tn *tenant) awaitMarker(publish func() string, rs ...*receiver) string {
	tn.t.Helper()
	id := publish()
	tn.markers[id] = true
	for _, r := range rs {
		testenv.WaitFor(tn.t, patience, "marker "+id+" at "+r.srv.URL, func() bool { return r.gotMarker(id) })
	}
	return id
}
