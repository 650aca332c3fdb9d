package main

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
)

func TestTokenPrintsATokenTheDevAPIAccepts(t *testing.T) {
	t.Setenv(devauth.EnvDevKeyFile, filepath.Join(t.TempDir(), "dev-jwt.key"))
	var out, errOut bytes.Buffer
	cmd := newTokenCmd()
	cmd.SetArgs([]string{"--org", "org_abc", "--operator", "--ttl", "1h"})
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if errOut.Len() != 0 || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("stdout %q stderr %q: want only the token", out.String(), errOut.String())
	}
	tok := strings.TrimSpace(out.String())

	key, err := devauth.DevKey("")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/api/v1/event-types", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	p, err := devauth.NewDevJWT(key, config.Defaults()).Authenticate(r)
	if err != nil || p.OrgID != "org_abc" || !p.Operator {
		t.Fatalf("principal %+v, err %v", p, err)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	// Issued for the audience the dev API requires (HOOKRELAY_DEV_AUDIENCE).
	if aud, _ := claims.GetAudience(); len(aud) != 1 || aud[0] != config.Defaults().DevAudience {
		t.Fatalf("aud %v, want [%s]", aud, config.Defaults().DevAudience)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp.Sub(time.Now().Add(time.Hour)).Abs() > time.Minute {
		t.Fatalf("exp %v, want about an hour from now", exp)
	}
}

func TestTokenRejectsBadTTL(t *testing.T) {
	t.Setenv(devauth.EnvDevKeyFile, filepath.Join(t.TempDir(), "dev-jwt.key"))
	cmd := newTokenCmd()
	cmd.SetArgs([]string{"--org", "org_abc", "--ttl", "-5m"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err == nil {
		t.Fatal("negative ttl accepted")
	}
}

// TestTokenWithoutOrgExitsNonZero runs the real main() in a child process
// (this test binary, re-executed), so the exit status is the CLI's own.
func TestTokenWithoutOrgExitsNonZero(t *testing.T) {
	c := exec.Command(os.Args[0], "-test.run=^TestMainProcess$", "--", "token")
	c.Env = append(os.Environ(), "HOOKRELAY_TEST_MAIN=1", devauth.EnvDevKeyFile+"="+filepath.Join(t.TempDir(), "k"))
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("exit: %v, want a non-zero status", err)
	}
	if !strings.Contains(errOut.String(), `"org"`) || out.Len() != 0 {
		t.Fatalf("stdout %q stderr %q: want an error naming --org and no token", out.String(), errOut.String())
	}
}

// TestMainProcess is the child of TestTokenWithoutOrgExitsNonZero: with
// HOOKRELAY_TEST_MAIN set it becomes the CLI, arguments after "--".
func TestMainProcess(t *testing.T) {
	if os.Getenv("HOOKRELAY_TEST_MAIN") != "1" {
		return
	}
	for i, a := range os.Args {
		if a == "--" {
			os.Args = append([]string{"hookrelay"}, os.Args[i+1:]...)
			break
		}
	}
	main()
	os.Exit(0)
}
