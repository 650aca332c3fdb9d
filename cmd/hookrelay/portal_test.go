package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
)

// TestPortalPrintsAWorkingSignInURL runs the command against a local stack
// on a port of its own, found through its state file, and signs in with
// the URL it prints.
func TestPortalPrintsAWorkingSignInURL(t *testing.T) {
	s := startDevStack(t, nil)
	t.Setenv(config.EnvAddr, "")

	var out bytes.Buffer
	cmd := newPortalCmd()
	cmd.SetArgs([]string{"--org", "org_cli"})
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(out.String())
	if !strings.HasPrefix(url, s.API+"/portal/login?token=") {
		t.Fatalf("printed %q, want a login URL of %s", url, s.API)
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) (int, string) {
		t.Helper()
		res, err := client.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, body := get(url); status != http.StatusOK || !strings.Contains(body, "You are signed in") {
		t.Fatalf("sign in: %d %s", status, body)
	}
	if status, body := get(s.API + "/portal/"); status != http.StatusOK || !strings.Contains(body, "No webhooks yet") {
		t.Fatalf("portal home: %d %s", status, body)
	}
	// Opened again by the browser it signed in, the spent link leads on
	// (another tab); any other browser finds it used.
	if status, body := get(url); status != http.StatusOK || !strings.Contains(body, "You are signed in") {
		t.Fatalf("the link opened again by the signed-in browser: %d %s", status, body)
	}
	client.Jar, _ = cookiejar.New(nil)
	if status, _ := get(url); status != http.StatusUnauthorized {
		t.Fatalf("second use of the link by another browser: %d, want 401", status)
	}
}

func TestPortalNeedsAnOrgOrAToken(t *testing.T) {
	cmd := newPortalCmd()
	cmd.SetArgs([]string{}) // nil would make cobra read the test binary's own arguments
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "--org is required") {
		t.Fatalf("err = %v", err)
	}
}
