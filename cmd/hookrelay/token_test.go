package main

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

func TestTokenPrintsATokenTheDevAPIAccepts(t *testing.T) {
	t.Setenv(devauth.EnvDevKeyFile, filepath.Join(t.TempDir(), "dev-jwt.key"))
	if _, err := devauth.DevKey(""); err != nil { // as make dev does on its first start
		t.Fatal(err)
	}
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

	key, err := devauth.SigningKey(nil)
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

// A key file named by the variable is not made up: the running API checks
// with the one make dev made, so a new key would only sign rejected tokens.
func TestTokenRefusesAMissingKeyFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexistent", "dir", "k")
	out, errOut, code := runMain(t, []string{devauth.EnvDevKeyFile + "=" + missing}, "token", "--org", "org_y")
	if code == 0 || out != "" || !strings.Contains(errOut, devauth.EnvDevKeyFile+"="+missing+": no key there") {
		t.Fatalf("exit %d, stdout %q, stderr %q: want only an error naming the missing key", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Dir(filepath.Dir(missing))); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused command created the key's folder: %v", err)
	}
}

// The variable names the key, so the command needs no repository around it.
func TestTokenWithAKeyFileOutsideTheRepository(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "dev-jwt.key")
	t.Setenv(devauth.EnvDevKeyFile, keyFile)
	key, err := devauth.DevKey("")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(devstate.EnvDataDir, "")
	t.Chdir(t.TempDir())
	out, err := runCmd(t, newTokenCmd(), "--org", "org_y")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/api/v1/event-types", nil)
	r.Header.Set("Authorization", "Bearer "+strings.TrimSpace(out))
	if p, err := devauth.NewDevJWT(key, config.Defaults()).Authenticate(r); err != nil || p.OrgID != "org_y" {
		t.Fatalf("principal %+v, err %v", p, err)
	}
}

// A token lives whole seconds (exp is in seconds): a ttl under one
// second would print a token that has already expired.
func TestTokenRejectsBadTTL(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "dev-jwt.key")
	t.Setenv(devauth.EnvDevKeyFile, keyFile)
	if _, err := devauth.DevKey(""); err != nil { // the key exists: only the ttl can be refused
		t.Fatal(err)
	}
	for _, ttl := range []string{"-5m", "0s", "1ns", "999ms"} {
		if _, err := runCmd(t, newTokenCmd(), "--org", "org_abc", "--ttl", ttl); err == nil || !strings.Contains(err.Error(), "ttl") {
			t.Errorf("--ttl %s: %v, want the ttl refused", ttl, err)
		}
	}
	if _, err := runCmd(t, newTokenCmd(), "--org", "org_abc", "--ttl", "1s"); err != nil {
		t.Errorf("--ttl 1s: %v", err)
	}
}

// TestTokenWithoutOrgExitsNonZero runs the real main(), so the exit status
// is the CLI's own.
func TestTokenWithoutOrgExitsNonZero(t *testing.T) {
	out, errOut, code := runMain(t, []string{devauth.EnvDevKeyFile + "=" + filepath.Join(t.TempDir(), "k")}, "token")
	if code == 0 {
		t.Fatal("exit 0, want a non-zero status")
	}
	if !strings.Contains(errOut, `"org"`) || out != "" {
		t.Fatalf("stdout %q stderr %q: want an error naming --org and no token", out, errOut)
	}
}
