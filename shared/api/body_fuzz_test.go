package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// forT is the env reporting to t (one fuzz iteration's), sharing the
// handler and stores set up once for the whole fuzz target.
func (e *env) forT(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// wantAnswer: a request body can make the API answer 2xx or 4xx with the
// JSON error body, never 5xx (an unexpected body is the client's error).
func wantAnswer(t *testing.T, what string, res response) {
	t.Helper()
	switch {
	case res.status >= 200 && res.status < 300:
	case res.status >= 400 && res.status < 500:
		var body struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(res.body, &body); err != nil || body.Error.Code == "" || body.Error.Message == "" {
			t.Fatalf("%s: %d without the JSON error body: %s", what, res.status, res.body)
		}
	default:
		t.Fatalf("%s: answered %d %s", what, res.status, res.body)
	}
}

// fuzzBodySeeds are the request bodies every fuzz target of the API starts
// from: valid ones for each route, and the shapes that once broke or are
// easy to get wrong.
var fuzzBodySeeds = []string{
	`{"name":"Hook","url":"https://example.com/h","event_types":["emailClick"]}`,
	`{"name":"All","url":"https://example.com/a","all_events":true,"enabled":false}`,
	`{"name":"renamed"}`,
	`{"event_types":["*"]}`,
	`{"all_events":false}`,
	`{"enabled":null}`,
	`{"event_name":"emailClick","data":{"email":"jane@example.com","message_id":"m","url":"https://example.com/p","occurred_at":"2026-11-23T10:00:00Z"},"id":"p-1"}`,
	`{"event_name":"emailClick","data":null}`,
	`{"name":"dup","name":"twice","url":"https://example.com/h","all_events":true}`,
	`{"name":"\u202eevil","url":"https://example.com/h","all_events":true}`,
	"{\"name\":\"bad \xff utf8\",\"url\":\"https://example.com/h\",\"all_events\":true}",
	`{"name":"x","url":"https://[::1]:0/","all_events":true}`,
	`{"name":"x","url":"https://169.254.169.254/latest","all_events":true}`,
	`{"name":1e400}`,
	`{"event_types":[null]}`,
	`{} {}`,
	`[]`,
	`null`,
	``,
	`{"name":"x","unknown":1}`,
	`{"data":` + strings.Repeat(`[`, 10000) + strings.Repeat(`]`, 10000) + `}`,
}

// FuzzRequestBodies sends each body to every tenant route of the OpenAPI
// document that reads one (the admin routes' bodies are fuzzed in
// shared/dlq). Every answer is 2xx or a 4xx with the JSON error body. For
// create webhook, patch webhook and publish event, more: a refusal changes
// nothing; what is accepted is what is stored (create and patch answer
// what a GET then returns, with the fields the body set) or published (the
// event name and data, as sent).
func FuzzRequestBodies(f *testing.F) {
	for _, s := range fuzzBodySeeds {
		f.Add(s)
	}
	shared := newEnv(f, withLogins(&recordingLogins{exp: time.Now().Add(time.Hour)}))
	tok := shared.token("org_fuzz")
	target := shared.create(tok, createBody("target", "emailOpen"))
	targetPath := webhooksPath + "/" + target.ID
	// Every other body-reading tenant route gets the general checks, so a
	// new one is fuzzed from the day it is in the document.
	checked := map[string]bool{"POST " + webhooksPath: true, "PATCH " + webhooksPath + "/{id}": true, "POST /api/v1/events": true}
	var others []operation
	for _, op := range shared.specOperations() {
		if op.body && !checked[op.method+" "+op.path] && !strings.HasPrefix(op.path, "/api/v1/admin/") {
			others = append(others, operation{op.method, pathParam.ReplaceAllString(op.path, target.ID), true})
		}
	}
	if len(others) == 0 {
		f.Fatal("no other body-reading route in the document: the general loop checks nothing")
	}

	f.Fuzz(func(t *testing.T, body string) {
		e := shared.forT(t)
		var in struct {
			Name      *string         `json:"name"`
			URL       *string         `json:"url"`
			Enabled   *bool           `json:"enabled"`
			EventName string          `json:"event_name"`
			Data      json.RawMessage `json:"data"`
		}
		_ = json.Unmarshal([]byte(body), &in)

		// Create.
		live := len(e.secrets.liveIDs())
		res := e.do(http.MethodPost, webhooksPath, tok, body)
		wantAnswer(t, "create", res)
		if res.status == http.StatusCreated {
			w := res.webhook(t)
			if in.Name == nil || in.URL == nil || w.Name != *in.Name || w.URL != *in.URL || !secretPattern.MatchString(w.SigningSecret) {
				t.Fatalf("created %+v from %q", w, body)
			}
			stored := e.do(http.MethodGet, webhooksPath+"/"+w.ID, tok, nil).webhook(t)
			w.SigningSecret = ""
			if !reflect.DeepEqual(stored, w) {
				t.Fatalf("create answered %+v, GET returns %+v", w, stored)
			}
			if strings.Contains(e.logs.String(), res.webhook(t).SigningSecret) {
				t.Fatal("the signing secret reached the logs")
			}
			if del := e.do(http.MethodDelete, webhooksPath+"/"+w.ID, tok, nil); del.status != http.StatusNoContent {
				t.Fatalf("delete: %d", del.status)
			}
		} else if now := len(e.secrets.liveIDs()); now != live {
			t.Fatalf("a refused create left %d secrets behind", now-live)
		}

		// Patch.
		before := e.do(http.MethodGet, targetPath, tok, nil).body
		res = e.do(http.MethodPatch, targetPath, tok, body)
		wantAnswer(t, "patch", res)
		after := e.do(http.MethodGet, targetPath, tok, nil)
		switch {
		case res.status == http.StatusOK:
			got := res.webhook(t)
			if !reflect.DeepEqual(after.webhook(t), got) || in.Name != nil && got.Name != *in.Name || in.URL != nil && got.URL != *in.URL ||
				in.Enabled != nil && got.Enabled != *in.Enabled {
				t.Fatalf("patch %q answered %+v, stored %s", body, got, after.body)
			}
		case !bytes.Equal(before, after.body):
			t.Fatalf("a refused patch changed the webhook:\n%s\n%s", before, after.body)
		}

		for _, op := range others {
			wantAnswer(t, op.method+" "+op.path, e.do(op.method, op.path, tok, body))
		}

		// Publish.
		e.pub.mu.Lock()
		calls := len(e.pub.calls)
		e.pub.mu.Unlock()
		res = e.do(http.MethodPost, "/api/v1/events", tok, body)
		wantAnswer(t, "publish", res)
		e.pub.mu.Lock()
		defer e.pub.mu.Unlock()
		switch {
		case res.status == http.StatusAccepted:
			last := e.pub.calls[len(e.pub.calls)-1]
			var sent, published any
			if len(e.pub.calls) != calls+1 || last.name != in.EventName || last.org != "org_fuzz" ||
				json.Unmarshal(in.Data, &sent) != nil || json.Unmarshal(last.data, &published) != nil || !reflect.DeepEqual(sent, published) {
				t.Fatalf("publish of %q published %+v", body, last)
			}
		case len(e.pub.calls) != calls:
			t.Fatalf("a refused publish (%d) reached the bus", res.status)
		}
	})
}
