package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nsmithuk/local-kms/src/data"
)

// kmsAs sends a KMS action to srv naming host in its Host header, as a
// rebinding page's request would name the page's own host, and returns
// the answer's status and body.
func kmsAs(t *testing.T, srv *httptest.Server, host, action string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+action)
	req.Host = host
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// keys lists srv's keys through a good Host.
func keys(t *testing.T, srv *httptest.Server, host string) []any {
	t.Helper()
	code, body := kmsAs(t, srv, host, "ListKeys")
	var out struct{ Keys []any }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &out) != nil {
		t.Fatalf("ListKeys: %d %s", code, body)
	}
	return out.Keys
}

// A request naming another host (DNS rebinding: the attacker's name now
// resolves to 127.0.0.1) is refused before local-kms sees it: no key is
// created. The loopback names with local-kms's port still reach it.
func TestHostGuardRefusesOtherHosts(t *testing.T) {
	db := data.NewDatabase(t.TempDir())
	t.Cleanup(db.Close)
	srv := httptest.NewServer(newHandler(db))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	good := "127.0.0.1:" + port

	for _, host := range []string{"rebind.attacker.example:" + port, "localhost.attacker.example:" + port, "127.0.0.1:1" + port, "127.0.0.1"} {
		code, body := kmsAs(t, srv, host, "CreateKey")
		if code != http.StatusMisdirectedRequest || !strings.Contains(body, "DNS rebinding") {
			t.Errorf("Host %s: %d %s, want 421 naming the guard", host, code, body)
		}
	}
	if k := keys(t, srv, good); len(k) != 0 {
		t.Fatalf("after refused creates ListKeys shows %v", k)
	}

	hosts := []string{good, "127.3.2.1:" + port, "[::1]:" + port, "LocalHost:" + port}
	for _, host := range hosts {
		if code, body := kmsAs(t, srv, host, "CreateKey"); code != http.StatusOK {
			t.Errorf("Host %s: %d %s, want local-kms's answer", host, code, body)
		}
	}
	if k := keys(t, srv, "localhost:"+port); len(k) != len(hosts) {
		t.Fatalf("ListKeys shows %d keys, want the %d created", len(k), len(hosts))
	}
}
