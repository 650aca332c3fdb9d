package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hookrelay/hookrelay/shared/config"
)

// A bearer token given with --token never crosses the network in clear
// text: an http:// API is accepted only on this machine (make dev); a
// deployed stack is https only, so http:// elsewhere is a typo that would
// put an organization's or an operator's token on the wire. Refused before
// anything is sent, with a message and a
// non-zero exit.
func TestATokenIsNotSentInClearTextOffThisMachine(t *testing.T) {
	localDev(t, "")
	sendNothing(t)
	for _, api := range []string{"http://api.example.com", "http://10.0.0.8:8080/", "http://localhost.example.com", "HTTP://api.example.com"} {
		_, err := runCmd(t, newPortalCmd(), "--token", "abc", "--api", api)
		if err == nil || !strings.Contains(err.Error(), "is not on this machine: --token goes only over https there") {
			t.Errorf("--api %s --token: %v", api, err)
		}
	}
	// $HOOKRELAY_ADDR names an API over http: the same holds.
	t.Setenv(config.EnvAddr, "10.0.0.8:8080")
	if _, err := runCmd(t, newPortalCmd(), "--token", "abc"); err == nil || !strings.Contains(err.Error(), "is not on this machine: --token goes only over https there") {
		t.Errorf("$%s elsewhere with --token: %v", config.EnvAddr, err)
	}
}

// Nor across a redirect: an https API that answers 3xx to http:// on the
// same host (a misconfigured proxy in front) is reported, not followed,
// since Go would re-send the Authorization header there.
func TestATokenDoesNotFollowARedirect(t *testing.T) {
	localDev(t, "")
	var sent []string
	apiTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = append(sent, r.URL.String())
		h := http.Header{"Location": {"http://api.example.com" + r.URL.Path}}
		return &http.Response{StatusCode: http.StatusFound, Status: "302 Found", Header: h, Body: http.NoBody, Request: r}, nil
	})
	t.Cleanup(func() { apiTransport = http.DefaultTransport })
	_, err := runCmd(t, newPortalCmd(), "--token", "abc", "--api", "https://api.example.com")
	if err == nil || !strings.Contains(err.Error(), "302") {
		t.Errorf("a 302 from the API: %v", err)
	}
	if len(sent) != 1 || !strings.HasPrefix(sent[0], "https://") {
		t.Errorf("requests sent %v, want only the https one", sent)
	}
}
