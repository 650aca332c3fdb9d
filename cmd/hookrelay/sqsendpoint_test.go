package main

import "testing"

// A queue URL's endpoint is one however its host is written, and each
// AWS partition's hosts give their region (a
// trailing dot or the scheme's own port made lanes at the DLQ's endpoint
// look elsewhere, and the European Sovereign Cloud's hosts were signed in
// the profile's region).
func TestQueueURLsNameTheirEndpoint(t *testing.T) {
	const dlq = "https://sqs.us-east-1.amazonaws.com/123456789012/dlq"
	for _, lane := range []string{
		"https://sqs.us-east-1.amazonaws.com/123456789012/lane0",
		"https://SQS.US-EAST-1.AMAZONAWS.COM/123456789012/lane0",
		"https://sqs.us-east-1.amazonaws.com./123456789012/lane0",
		"https://sqs.us-east-1.amazonaws.com:443/123456789012/lane0",
		"https://us-east-1.queue.amazonaws.com/123456789012/lane0",
	} {
		if !endpointOf(dlq).same(endpointOf(lane)) {
			t.Errorf("%s: %+v, want the endpoint of %s: %+v", lane, endpointOf(lane), dlq, endpointOf(dlq))
		}
	}
	for _, c := range []struct{ url, region, base string }{
		{dlq, "us-east-1", ""},
		{"https://sqs.eusc-de-east-1.amazonaws.eu/123456789012/dlq", "eusc-de-east-1", ""},
		{"https://sqs.cn-north-1.amazonaws.com.cn/123456789012/dlq", "cn-north-1", ""},
		{"https://sqs.us-east-1.amazonaws.com:8443/123456789012/dlq", "us-east-1", "https://sqs.us-east-1.amazonaws.com:8443"},
		{"http://127.0.0.1:4100/000000000000/dlq", "", "http://127.0.0.1:4100"},
		{"http://[::1]:4100/000000000000/dlq", "", "http://[::1]:4100"},
		{"http://localhost./000000000000/dlq", "", "http://localhost"},
	} {
		if e := endpointOf(c.url); e.region != c.region || e.base != c.base {
			t.Errorf("%s: region %q base %q, want %q and %q", c.url, e.region, e.base, c.region, c.base)
		}
	}
	if endpointOf(dlq).same(endpointOf("https://sqs.us-east-1.amazonaws.com:8443/123456789012/lane0")) {
		t.Error("a port other than the scheme's is another endpoint")
	}
}
