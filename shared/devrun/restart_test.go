package devrun

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/verify"
)

// received is one request a test endpoint got.
type received struct {
	header http.Header
	body   []byte
}

// TestWebhooksAndSecretsSurviveARestart: dynalite's files and the local
// secrets file are the stack's memory; goaws is not, and need not be.
func TestWebhooksAndSecretsSurviveARestart(t *testing.T) {
	got := make(chan received, 8)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{header: r.Header.Clone(), body: body}
	}))
	defer endpoint.Close()

	dir := t.TempDir()
	first := startStack(t, dir)
	token := devToken(t, dir, "org_restart")
	var created struct {
		ID            string `json:"id"`
		SigningSecret string `json:"signing_secret"`
	}
	call(t, first.API, token, "POST", "/api/v1/organization/webhooks",
		`{"name":"survivor","url":"`+endpoint.URL+`","event_types":["*"]}`, http.StatusCreated, &created)
	if created.ID == "" || created.SigningSecret == "" {
		t.Fatalf("create returned %+v", created)
	}
	first.Stop()

	second := startStack(t, dir)
	var fetched struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	call(t, second.API, token, "GET", "/api/v1/organization/webhooks/"+created.ID, "", http.StatusOK, &fetched)
	if fetched.ID != created.ID || fetched.Name != "survivor" {
		t.Fatalf("after restart the webhook reads %+v", fetched)
	}

	// The secret survived too: a test event is signed with the one the
	// API returned before the restart.
	call(t, second.API, token, "POST", "/api/v1/organization/webhooks/"+created.ID+"/test", "", 0, nil)
	select {
	case r := <-got:
		if err := verify.Verify(created.SigningSecret, r.header, r.body, verify.DefaultPrefix, time.Now()); err != nil {
			t.Fatalf("the test event does not verify with the pre-restart secret: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the test event never reached the endpoint")
	}
}

// devToken issues a tenant token with the stack's dev key, as
// `hookrelay token` does.
func devToken(t *testing.T, dataDir, org string) string {
	t.Helper()
	key, err := devauth.DevKey(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	token, err := devauth.IssueDevToken(key, org, false, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// call sends an API request and decodes the JSON answer into out. want 0
// accepts any 2xx.
func call(t *testing.T, api, token, method, path, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, api+path, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer drain(resp)
	raw, _ := io.ReadAll(resp.Body)
	if (want != 0 && resp.StatusCode != want) || (want == 0 && resp.StatusCode/100 != 2) {
		t.Fatalf("%s %s = %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, raw)
		}
	}
}
