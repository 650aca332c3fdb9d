package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/spf13/cobra"
)

// answering is a loopback API that answers every call with status and body.
func answering(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A refusal says what the API answered, whoever wrote the answer: the
// API's own error, API Gateway's {"message"}, or anything else in front.
func TestAPIErrorsSayWhatTheAPIAnswered(t *testing.T) {
	localDev(t, "")
	long := strings.Repeat("x", 300)
	for _, c := range []struct {
		status     int
		body, want string
	}{
		{401, `{"message":"Unauthorized"}`, "the API answered 401 Unauthorized: Unauthorized"},
		{403, `{"error":{"code":"forbidden","message":"not your webhook"}}`, "the API answered 403 Forbidden: forbidden: not your webhook"},
		{502, "<html>\n<h1>Bad gateway</h1>\n</html>\n", `the API answered 502 Bad Gateway: "<html> <h1>Bad gateway</h1> </html>"`},
		{500, "", "the API answered 500 Internal Server Error with an empty body"},
		{429, long, `the API answered 429 Too Many Requests: "` + long[:bodyExcerpt] + `…"`},
	} {
		api := answering(t, c.status, c.body)
		_, err := runCmd(t, newPortalCmd(), "--token", "abc", "--api", api)
		if err == nil || err.Error() != c.want {
			t.Errorf("%d %q: %v, want %q", c.status, c.body, err, c.want)
		}
	}
}

// A dev token refused says why: only make dev accepts it.
func TestAPIRefusingADevTokenSaysSo(t *testing.T) {
	localDev(t, "")
	api := answering(t, http.StatusUnauthorized, `{"message":"Unauthorized"}`)
	_, err := runCmd(t, newWebhooksCmd(), "recover", "wh_1", "--since", "1h", "--org", "org_a", "--api", api)
	if err == nil || !strings.HasPrefix(err.Error(), "the API answered 401 Unauthorized: Unauthorized (") || !strings.Contains(err.Error(), "only `make dev` accepts: for a deployed stack, set $HOOKRELAY_TOKEN (or pass --token - and write it to stdin)") {
		t.Fatalf("a dev token refused: %v", err)
	}
	// With --token the hint would be wrong.
	if _, err := runCmd(t, newPortalCmd(), "--token", "abc", "--api", api); err == nil || !strings.HasPrefix(err.Error(), "the API answered 401") || strings.Contains(err.Error(), "make dev") {
		t.Fatalf("a given token refused: %v", err)
	}
}

// Beside --token, --org must name the token's organization: another is
// refused before anything is sent (it was ignored, and the token's acted
// for); the same one goes through.
func TestAPIChecksOrgBesideAToken(t *testing.T) {
	localDev(t, "")
	var sent int
	apiTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent++
		return nil, errors.New("no requests here")
	})
	t.Cleanup(func() { apiTransport = nil })
	orgA := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"org_id": "org_a"})
	token, err := orgA.SignedString([]byte("any key: the CLI reads the claim, the API verifies"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ token, org, want string }{
		{token, "org_b", `--org org_b, but the token's org_id is "org_a"`},
		{"abc", "org_b", "--org org_b beside a token (--token) that is not a JWT"},
	} {
		for _, cmd := range []*cobra.Command{newPortalCmd(), newWebhooksCmd()} {
			args := []string{"--token", c.token, "--org", c.org, "--api", "http://127.0.0.1:9"}
			if cmd.Name() == "webhooks" {
				args = append([]string{"recover", "wh_1", "--since", "1h"}, args...)
			}
			if _, err := runCmd(t, cmd, args...); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %v: %v, want %q", cmd.Name(), args, err, c.want)
			}
		}
	}
	if sent != 0 {
		t.Fatalf("%d requests sent for refused commands", sent)
	}
	if _, err := runCmd(t, newPortalCmd(), "--token", token, "--org", "org_a", "--api", "http://127.0.0.1:9"); err == nil || sent != 1 {
		t.Fatalf("--org naming the token's organization: %v after %d requests, want the request sent", err, sent)
	}
}

// A dev token is never sent off this machine: --api elsewhere needs --token.
func TestAPIElsewhereNeedsAToken(t *testing.T) {
	localDev(t, "")
	sendNothing(t)
	for _, api := range []string{"https://api.example.com", "http://10.0.0.8:8080", "https://localhost.example.com/"} {
		_, err := runCmd(t, newPortalCmd(), "--org", "org_a", "--api", api)
		if err == nil || !strings.Contains(err.Error(), "is not on this machine: set $HOOKRELAY_TOKEN (or pass --token - and write it to stdin); the dev token the CLI signs for --org works only with `make dev`") {
			t.Errorf("--api %s without --token: %v", api, err)
		}
	}
	// Loopback names are make dev's: a dev token goes there.
	for _, api := range []string{"http://localhost:1", "http://127.0.0.2:1", "http://[::1]:1"} {
		if !loopback(api) {
			t.Errorf("%s not taken for loopback", api)
		}
	}
}

// sendNothing fails the test on any API request it makes: the command
// must refuse before sending.
func sendNothing(t *testing.T) {
	apiTransport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("a request went out to %s", r.URL)
		return nil, errors.New("no requests here")
	})
	t.Cleanup(func() { apiTransport = http.DefaultTransport })
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
