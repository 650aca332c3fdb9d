package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/cobra"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devauth"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// fakeAPI answers the portal and recover calls with its name (a portal
// URL on it; queued: its length), so a test sees which API a command reached.
func fakeAPI(t *testing.T, name string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/recover") {
			w.WriteHeader(http.StatusAccepted)
			fmt.Fprintf(w, `{"queued":%d}`, len(name))
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"url":"http://%s/portal/login?token=t"}`, name)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// localDev is a make dev data folder whose state file names api, with
// HOOKRELAY_ADDR unset.
func localDev(t *testing.T, api string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(devstate.EnvDataDir, dir)
	t.Setenv(devauth.EnvDevKeyFile, "")
	t.Setenv(config.EnvAddr, "")
	if api == "" {
		return
	}
	if err := devstate.Write(dir, devstate.State{API: api}); err != nil {
		t.Fatal(err)
	}
	holdDevLock(t, dir)
}

// holdDevLock holds dir's dev lock for the test, as the running make dev
// whose state file the test wrote would.
func holdDevLock(t *testing.T, dir string) {
	t.Helper()
	release, err := devrun.Hold(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
}

// portal and webhooks recover find the running make dev through its state
// file, whatever its port; HOOKRELAY_ADDR and --api still name another API.
func TestAPICommandsFindTheRunningDevStack(t *testing.T) {
	dev, byAddr, byFlag := fakeAPI(t, "dev"), fakeAPI(t, "byaddr"), fakeAPI(t, "byflag")
	localDev(t, dev.URL)
	recoverArgs := []string{"recover", "wh_1", "--since", "1h", "--org", "org_a"}

	if out, err := runCmd(t, newPortalCmd(), "--org", "org_a"); err != nil || out != "http://dev/portal/login?token=t\n" {
		t.Fatalf("portal with a state file: %q, %v", out, err)
	}
	if out, err := runCmd(t, newWebhooksCmd(), recoverArgs...); err != nil || !strings.Contains(out, "queued 3 ") {
		t.Fatalf("recover with a state file: %q, %v", out, err)
	}
	if out, err := runCmd(t, newPortalCmd(), "--org", "org_a", "--api", byFlag.URL+"/"); err != nil || !strings.Contains(out, "//byflag/") {
		t.Fatalf("portal --api: %q, %v", out, err)
	}
	t.Setenv(config.EnvAddr, strings.TrimPrefix(byAddr.URL, "http://"))
	if out, err := runCmd(t, newPortalCmd(), "--org", "org_a"); err != nil || !strings.Contains(out, "//byaddr/") {
		t.Fatalf("portal with %s: %q, %v", config.EnvAddr, out, err)
	}
	if out, err := runCmd(t, newWebhooksCmd(), recoverArgs...); err != nil || !strings.Contains(out, "queued 6 ") {
		t.Fatalf("recover with %s: %q, %v", config.EnvAddr, out, err)
	}
}

func TestAPICommandsWithoutADevStack(t *testing.T) {
	localDev(t, "")
	_, err := runCmd(t, newPortalCmd(), "--org", "org_a")
	if !errors.Is(err, devstate.ErrNotRunning) || !strings.Contains(err.Error(), "--api") {
		t.Fatalf("no make dev: %v, want a hint at make dev and --api", err)
	}
}

// A state file left by a make dev that was killed names an API nobody
// serves: the commands say no stack runs instead of failing to connect.
func TestAPICommandsIgnoreAKilledDevsStateFile(t *testing.T) {
	dev := fakeAPI(t, "dev")
	dir := t.TempDir()
	t.Setenv(devstate.EnvDataDir, dir)
	t.Setenv(devauth.EnvDevKeyFile, "")
	t.Setenv(config.EnvAddr, "")
	if err := devstate.Write(dir, devstate.State{API: dev.URL}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cmd  *cobra.Command
		args []string
	}{{newPortalCmd(), []string{"--org", "org_a"}}, {newWebhooksCmd(), []string{"recover", "wh_1", "--since", "1h", "--org", "org_a"}}} {
		out, err := runCmd(t, c.cmd, c.args...)
		if !errors.Is(err, devstate.ErrNotRunning) || strings.Contains(out, "//dev/") {
			t.Fatalf("%s with a killed dev's state file: %q, %v; want ErrNotRunning", c.cmd.Name(), out, err)
		}
	}
}

// --api is checked before anything is signed or sent.
func TestAPIFlagMustBeAnHTTPURL(t *testing.T) {
	localDev(t, "")
	for _, api := range []string{"127.0.0.1:8092", "localhost:8092", "ftp://127.0.0.1/", "http://", "http://:8080", "https:///v1", "http://127.0.0.1:8092/?x=1", "127.0.0.1"} {
		for _, cmd := range []*cobra.Command{newPortalCmd(), newWebhooksCmd()} {
			args := []string{"--org", "org_a", "--api", api}
			if cmd.Name() == "webhooks" {
				args = append([]string{"recover", "wh_1", "--since", "1h"}, args...)
			}
			_, err := runCmd(t, cmd, args...)
			want := fmt.Sprintf("--api %q: want an http or https URL with a host", api)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s --api %q: %v, want %q", cmd.Name(), api, err, want)
			}
		}
	}
}

// The make dev hint is added to a failed connection to the local stack,
// not to other failures.
func TestMakeDevHintOnlyOnConnectionErrors(t *testing.T) {
	// A stopped make dev: the connection is refused. The dialer refuses it,
	// as the kernel does for a port nothing listens on; a port closed by
	// the test could be taken by a parallel package before the call.
	refusing := http.DefaultTransport.(*http.Transport).Clone()
	refusing.DialContext = func(_ context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	}
	t.Run("stopped make dev", func(t *testing.T) {
		apiTransport = refusing
		t.Cleanup(func() { apiTransport = http.DefaultTransport })
		localDev(t, "http://127.0.0.1:8092")
		_, err := runCmd(t, newPortalCmd(), "--org", "org_a")
		if err == nil || !strings.Contains(err.Error(), "connection refused (is `make dev` running?)") {
			t.Fatalf("a stopped make dev: %v, want the hint", err)
		}
	})

	// An API that hangs up: the request went out and got no answer.
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(hangUp.Close)
	localDev(t, hangUp.URL)
	_, err := runCmd(t, newPortalCmd(), "--org", "org_a")
	if err == nil || !strings.HasSuffix(err.Error(), ": EOF") {
		t.Fatalf("an API that hangs up: %v, want EOF without the make dev hint", err)
	}
}

// $HOOKRELAY_ADDR holds make dev's host:port: a URL there is refused with
// a message naming it and what it holds, not blamed on an --api nobody
// passed as "--api http://http://…"; an address elsewhere
// is named as $HOOKRELAY_ADDR's too.
func TestHookrelayAddrHoldingAURLIsNamed(t *testing.T) {
	localDev(t, "")
	for addr, want := range map[string]string{
		"http://127.0.0.1:18734": `$HOOKRELAY_ADDR is "http://127.0.0.1:18734": it holds the host:port make dev listens on, such as 127.0.0.1:8080, not a URL`,
		"10.0.0.8:8080":          "$HOOKRELAY_ADDR (http://10.0.0.8:8080) is not on this machine: set $HOOKRELAY_TOKEN",
	} {
		t.Setenv(config.EnvAddr, addr)
		_, err := runCmd(t, newPortalCmd(), "--org", "org_a")
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "--api http") {
			t.Errorf("%s=%s: %v, want %q", config.EnvAddr, addr, err, want)
		}
	}
}
