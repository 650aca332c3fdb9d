package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"
	"github.com/spf13/cobra"
)

// bearerAPI answers portal and recover calls and keeps the bearer token of
// the last one.
func bearerAPI(t *testing.T) (url string, last func() string) {
	var (
		mu  sync.Mutex
		got string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/recover") {
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write([]byte(`{"queued":1}`))
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"url":"http://127.0.0.1/portal/login?token=t"}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() string {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
}

// tokenCommands are the commands that take a token, each with args.
func tokenCommands(args ...string) []struct {
	cmd  *cobra.Command
	args []string
} {
	return []struct {
		cmd  *cobra.Command
		args []string
	}{
		{newPortalCmd(), args},
		{newWebhooksCmd(), append([]string{"recover", "wh_1", "--since", "1h"}, args...)},
	}
}

// A deployed stack's token comes from $HOOKRELAY_TOKEN or stdin (--token -),
// not only from --token, whose value every user of the machine reads in the
// process list; an explicit flag beats the variable.
func TestTokenSources(t *testing.T) {
	localDev(t, "")
	api, last := bearerAPI(t)
	cases := []struct {
		name, env, stdin string // env "": unset
		args             []string
		want             string
	}{
		{name: "environment", env: "tok_env\n", want: "tok_env"},
		{name: "stdin", stdin: "  tok_stdin \nignored\n", args: []string{"--token", "-"}, want: "tok_stdin"},
		{name: "stdin beats the environment", env: "tok_env", stdin: "tok_stdin", args: []string{"--token", "-"}, want: "tok_stdin"},
		{name: "flag", args: []string{"--token", "tok_flag"}, want: "tok_flag"},
		{name: "flag beats the environment", env: "tok_env", args: []string{"--token", "tok_flag"}, want: "tok_flag"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv(envToken, c.env)
			}
			for _, tc := range tokenCommands(append(c.args, "--api", api)...) {
				tc.cmd.SetIn(strings.NewReader(c.stdin))
				if _, err := runCmd(t, tc.cmd, tc.args...); err != nil {
					t.Fatalf("%s %v: %v", tc.cmd.Name(), tc.args, err)
				}
				if got := last(); got != c.want {
					t.Fatalf("%s %v sent the token %q, want %q", tc.cmd.Name(), tc.args, got, c.want)
				}
			}
		})
	}
}

// An empty token is refused, whatever held it, before anything is sent:
// not read as no token (a dev token for --org would be signed instead,
// hiding the mistake). The CLI exits non-zero, saying where it was empty.
func TestEmptyTokenIsRefused(t *testing.T) {
	localDev(t, "")
	sendNothing(t)
	cases := []struct {
		name, env, stdin string
		args             []string
		want             string
	}{
		{name: "empty stdin", stdin: " \n", args: []string{"--token", "-"}, want: "--token -: stdin held no token"},
		{name: "no stdin", args: []string{"--token", "-"}, want: "--token -: stdin held no token"},
		{name: "blank environment", env: " ", want: "$HOOKRELAY_TOKEN is set but empty"},
		{name: "empty flag", env: "tok_env", args: []string{"--token", ""}, want: "--token is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.env != "" {
				t.Setenv(envToken, c.env)
			}
			for _, tc := range tokenCommands(append(c.args, "--org", "org_a", "--api", "https://api.example.com")...) {
				tc.cmd.SetIn(strings.NewReader(c.stdin))
				if _, err := runCmd(t, tc.cmd, tc.args...); err == nil || !strings.HasPrefix(err.Error(), c.want) {
					t.Errorf("%s %v: %v, want %q", tc.cmd.Name(), tc.args, err, c.want)
				}
			}
		})
	}
	// The real CLI: a message on stderr and exit status 1 (its stdin is
	// /dev/null).
	for _, c := range []struct {
		env        []string
		args       []string
		wantStderr string
	}{
		{nil, []string{"portal", "--token", "-", "--api", "https://api.example.com"}, "error: --token -: stdin held no token\n"},
		{[]string{envToken + "="}, []string{"webhooks", "recover", "wh_1", "--since", "1h", "--api", "https://api.example.com"}, "error: $HOOKRELAY_TOKEN is set but empty"},
	} {
		out, errOut, code := runMain(t, c.env, c.args...)
		if code != 1 || out != "" || !strings.HasPrefix(errOut, c.wantStderr) {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q; want exit 1 and %q", c.env, c.args, code, out, errOut, c.wantStderr)
		}
	}
}

// No error shows the token, wherever it came from: it would land in a
// terminal's scrollback, a CI log or a bug report.
func TestErrorsNeverShowTheToken(t *testing.T) {
	localDev(t, "")
	const secret = "SECRETSIG0123456789"
	jwtOrgA, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"org_id": "org_a"}).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	sig := jwtOrgA[strings.LastIndexByte(jwtOrgA, '.')+1:]
	refused := answering(t, http.StatusUnauthorized, `{"message":"Unauthorized"}`)
	for _, token := range []string{secret, jwtOrgA} {
		for _, args := range [][]string{
			{"--org", "org_b", "--api", "https://api.example.com"}, // not the token's organization, or not a JWT
			{"--api", "http://api.example.com"},                    // clear text off this machine
			{"--api", refused},                                     // the API refuses it
			{"--api", "https://api.example.com/?x=1"},              // a bad --api
		} {
			for _, from := range []string{"flag", "stdin", "environment"} {
				t.Run(from, func(t *testing.T) {
					for _, tc := range tokenCommands(args...) {
						switch from {
						case "flag":
							tc.args = append(tc.args, "--token", token)
						case "stdin":
							tc.args = append(tc.args, "--token", "-")
							tc.cmd.SetIn(strings.NewReader(token + "\n"))
						default:
							t.Setenv(envToken, token)
						}
						out, err := runCmd(t, tc.cmd, tc.args...)
						if err == nil {
							t.Fatalf("%s %v: no error", tc.cmd.Name(), tc.args)
						}
						for _, s := range []string{err.Error(), out} {
							if strings.Contains(s, token) || strings.Contains(s, sig) || strings.Contains(s, secret) {
								t.Errorf("%s %v (token from %s): the output shows the token: %q", tc.cmd.Name(), tc.args, from, s)
							}
						}
					}
				})
			}
		}
	}
}

// The real CLI's whole output, for a token from the environment the API
// refuses: the error, and nothing else, names where it came from.
func TestRefusedEnvironmentTokenIsNamedNotShown(t *testing.T) {
	const token = "tok_SECRETSIG0123456789"
	api := answering(t, http.StatusUnauthorized, `{"message":"Unauthorized"}`)
	out, errOut, code := runMain(t, []string{envToken + "=" + token}, "portal", "--api", api)
	want := "error: the API answered 401 Unauthorized: Unauthorized (the token was $HOOKRELAY_TOKEN's)\n"
	if code != 1 || out != "" || errOut != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, out, errOut, want)
	}
}
