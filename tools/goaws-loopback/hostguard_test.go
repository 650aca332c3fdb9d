package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// createQueueAs sends a query-protocol CreateQueue to srv naming host in
// its Host header, as a rebinding page's request would name the page's
// own host, and returns the answer's status and body.
func createQueueAs(t *testing.T, srv *httptest.Server, host, name string) (int, string) {
	t.Helper()
	form := url.Values{"Action": {"CreateQueue"}, "QueueName": {name}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = host
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A request naming another host (DNS rebinding: the attacker's name now
// resolves to 127.0.0.1) is refused before goaws sees it: no queue is
// created. The loopback names with goaws's port still reach goaws.
func TestHostGuardRefusesOtherHosts(t *testing.T) {
	srv := httptest.NewServer(newHandler())
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	queues++
	name := fmt.Sprintf("rebind-%d", queues)

	for _, host := range []string{"rebind.attacker.example:" + port, "localhost.attacker.example:" + port, "127.0.0.1:1" + port, "127.0.0.1"} {
		code, body := createQueueAs(t, srv, host, name)
		if code != http.StatusMisdirectedRequest || !strings.Contains(body, "DNS rebinding") {
			t.Errorf("Host %s: %d %s, want 421 naming the guard", host, code, body)
		}
	}
	listed := call(t, srv, "ListQueues", map[string]any{"QueueNamePrefix": name})
	if urls, _ := listed["QueueUrls"].([]any); listed == nil || len(urls) != 0 {
		t.Fatalf("after refused creates ListQueues shows %v", listed)
	}

	for i, host := range []string{"127.0.0.1:" + port, "127.3.2.1:" + port, "[::1]:" + port, "LocalHost:" + port} {
		if code, body := createQueueAs(t, srv, host, fmt.Sprintf("%s-ok%d", name, i)); code != http.StatusOK {
			t.Errorf("Host %s: %d %s, want goaws's answer", host, code, body)
		}
	}
}
