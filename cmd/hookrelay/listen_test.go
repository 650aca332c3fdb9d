package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devstate"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/signing"
	"github.com/hookrelay/hookrelay/shared/testenv"
)

func TestListenSecretSources(t *testing.T) {
	// env sets the variable to v; "unset" leaves it out.
	env := func(v string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			if name == envListenSecret && v != "unset" {
				return v, true
			}
			return "", false
		}
	}
	cases := []struct {
		name, flag, stdin, env string
		want                   string
		wantErr                string
	}{
		{name: "flag", flag: "whsec_flag", env: "unset", want: "whsec_flag"},
		{name: "environment", env: "whsec_env\n", want: "whsec_env"},
		{name: "stdin", flag: "-", stdin: "  whsec_stdin\nignored\n", want: "whsec_stdin"},
		{name: "stdin without newline", flag: "-", stdin: "whsec_stdin", want: "whsec_stdin"},
		{name: "an explicit flag beats the environment", flag: "whsec_flag", env: "whsec_env", want: "whsec_flag"},
		{name: "stdin beats the environment", flag: "-", stdin: "whsec_stdin\n", env: "whsec_env", want: "whsec_stdin"},
		{name: "empty stdin", flag: "-", stdin: "\n", env: "whsec_env", wantErr: "stdin held no signing secret"},
		{name: "none", env: "unset", wantErr: "no signing secret: set " + envListenSecret},
		{name: "blank environment", env: "  ", wantErr: envListenSecret + " is set but empty"},
		{name: "empty environment, as step 3 leaves it after a failed step 2", env: "", wantErr: "did registering the endpoint print a signing_secret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := listenSecret(context.Background(), c.flag, strings.NewReader(c.stdin), env(c.env))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %q, %v; want an error mentioning %q", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestListenWithoutASecretSaysWhereToPutIt(t *testing.T) {
	t.Setenv(envListenSecret, "") // restored after the test
	os.Unsetenv(envListenSecret)
	var out testenv.Buffer
	cmd := newListenCmd()
	cmd.SetArgs([]string{"--port", "0"})
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	if err := cmd.Execute(); !errors.Is(err, errNoListenSecret) {
		t.Fatalf("listen without a secret: %v, want the missing-secret error", err)
	}
	if strings.Contains(out.String(), "Listening") {
		t.Fatalf("listened without a secret:\n%s", out.String())
	}
}

// The secret from each source is the one the receiver verifies with: a
// delivery signed with it is accepted.
func TestListenVerifiesWithTheSecretFromEachSource(t *testing.T) {
	for _, source := range []string{"environment", "stdin"} {
		t.Run(source, func(t *testing.T) {
			secret, err := secrets.Generate()
			if err != nil {
				t.Fatal(err)
			}
			cmd := newListenCmd()
			args := []string{"--port", "0"}
			if source == "environment" {
				t.Setenv(envListenSecret, secret)
			} else {
				t.Setenv(envListenSecret, "")
				args = append(args, "--secret", "-")
				cmd.SetIn(strings.NewReader(secret + "\n"))
			}
			addr, out := startListen(t, cmd, args)
			if code := postSigned(t, addr, "Hookrelay", secret); code != http.StatusOK {
				t.Fatalf("delivery signed with the %s secret answered %d\n%s", source, code, out.String())
			}
			other, _ := secrets.Generate()
			if code := postSigned(t, addr, "Hookrelay", other); code != http.StatusBadRequest {
				t.Fatalf("delivery signed with another secret answered %d, want 400", code)
			}
		})
	}
}

// Without --prefix, listen checks the X-<prefix>-Signature the running
// make dev sends (its state file names its HOOKRELAY_HEADER_PREFIX), so
// the quick start's command works in another terminal; the variable in
// listen's own environment, then --prefix, take precedence.
func TestListenChecksTheRunningDevsHeaderPrefix(t *testing.T) {
	startDevStack(t, map[string]string{config.EnvHeaderPrefix: "Aigeon"})
	secret, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envListenSecret, secret)
	for _, c := range []struct {
		name, env string
		args      []string
		want      string // the prefix the receiver accepts
	}{
		{"the running make dev's", "", nil, "Aigeon"},
		{"the environment's", "Acme", nil, "Acme"},
		{"--prefix", "Acme", []string{"--prefix", "Brand"}, "Brand"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(config.EnvHeaderPrefix, c.env)
			listenAccepts(t, c.args, c.want, secret)
		})
	}
}

// A state file left by a make dev that was killed (no process holds its
// lock) is no running stack: listen checks the default prefix, not the
// dead stack's.
func TestListenIgnoresALeftoverDevsHeaderPrefix(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(devstate.EnvDataDir, dir)
	if err := devstate.Write(dir, devstate.State{PID: 1, HeaderPrefix: "Aigeon"}); err != nil {
		t.Fatal(err)
	}
	secret, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envListenSecret, secret)
	listenAccepts(t, nil, config.Defaults().HeaderPrefix, secret)
}

// listenAccepts starts listen with args and shows it verifies the
// X-<want>-Signature of a delivery signed with secret, refuses one that
// carries only X-<other>-Signature, and says which it checks.
func listenAccepts(t *testing.T, args []string, want, secret string) {
	t.Helper()
	addr, out := startListen(t, newListenCmd(), append([]string{"--port", "0"}, args...))
	if code := postSigned(t, addr, want, secret); code != http.StatusOK {
		t.Fatalf("a delivery with X-%s-Signature answered %d\n%s", want, code, out.String())
	}
	other := "Aigeon"
	if want == other {
		other = "Hookrelay"
	}
	if code := postSigned(t, addr, other, secret); code != http.StatusBadRequest {
		t.Fatalf("a delivery with X-%s-Signature answered %d, want 400 (no X-%s-Signature)", other, code, want)
	}
	if !strings.Contains(out.String(), "checks X-"+want+"-Signature and webhook-signature") {
		t.Errorf("listen does not say what it checks:\n%s", out.String())
	}
}

// startListen runs a listen command until the test ends, and returns the
// address it listens on and its output.
func startListen(t *testing.T, cmd *cobra.Command, args []string) (string, *testenv.Buffer) {
	t.Helper()
	out := &testenv.Buffer{}
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SetErr(out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("listen: %v", err)
		}
	})
	return waitForMatch(t, out, regexp.MustCompile(`Listening on (http://\S+/)`)), out
}

// waitForMatch polls out until re matches and returns its first group.
func waitForMatch(t *testing.T, out *testenv.Buffer, re *regexp.Regexp) string {
	t.Helper()
	var m []string
	testenv.WaitFor(t, 20*time.Second, re.String()+" in the output", func() bool {
		m = re.FindStringSubmatch(out.String())
		return m != nil
	})
	return m[1]
}

// postSigned posts a delivery signed with secret under the header prefix
// (X-<prefix>-Signature) and returns the status.
func postSigned(t *testing.T, url, prefix, secret string) int {
	t.Helper()
	body := `{"id":"evt_1","event_name":"emailClick","organization_id":"org_a","timestamp":1745000000,"data":{}}`
	h, err := signing.Headers(signing.Request{Prefix: prefix, EventName: "emailClick", DeliveryID: "dlv_1",
		Timestamp: time.Now(), Secrets: []string{secret}, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(fmt.Errorf("post: %w", err))
	}
	res.Body.Close()
	return res.StatusCode
}

// A bad --status, --port, --fail-first or --delay is refused naming the
// flag and its value, before anything listens: --status 0 too, which the
// banner used to show as "answers 0" (it answered 200). A cancelled
// context stops a listener that did start.
func TestListenNamesABadFlagValue(t *testing.T) {
	secret, err := secrets.Generate()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(envListenSecret, secret)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	type refusal struct {
		args []string
		want string
	}
	cases := []refusal{
		{[]string{"--port", "70000"}, "--port 70000: must be a TCP port"},
		{[]string{"--port", "-1"}, "--port -1: must be a TCP port"},
		{[]string{"--port", "0", "--fail-first", "-3"}, "--fail-first -3: must be 0 or more"},
		{[]string{"--port", "0", "--delay", "-1s"}, "--delay -1s: must be 0 or more"},
	}
	for _, status := range []string{"0", "199", "600", "-1"} {
		cases = append(cases, refusal{[]string{"--port", "0", "--status", status}, "--status " + status + " is not an HTTP status"})
	}
	for _, c := range cases {
		var out testenv.Buffer
		cmd := newListenCmd()
		cmd.SetArgs(c.args)
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		err := cmd.ExecuteContext(ctx)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(out.String(), "Listening") {
			t.Errorf("%v: %v, printed %q; want %q before listening", c.args, err, out.String(), c.want)
		}
	}
}
