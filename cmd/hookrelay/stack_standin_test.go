package main

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
)

// stackStandIn is a loopback CloudFormation answering DescribeStacks for
// one stack with the given outputs (any other name: AWS's "does not
// exist"), recording each stack name asked for.
type stackStandIn struct {
	URL   string
	mu    sync.Mutex
	asked []string
}

func newStackStandIn(t *testing.T, stack string, outputs map[string]string) *stackStandIn {
	t.Helper()
	s := &stackStandIn{}
	keys := make([]string, 0, len(outputs))
	for k := range outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var members strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&members, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", html.EscapeString(k), html.EscapeString(outputs[k]))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		name := r.Form.Get("StackName")
		s.mu.Lock()
		s.asked = append(s.asked, r.Form.Get("Action")+" "+name)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/xml")
		if name != stack {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>
<Code>ValidationError</Code><Message>Stack with id %s does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>`, html.EscapeString(name))
			return
		}
		fmt.Fprintf(w, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>
<StackName>%s</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime>
<Outputs>%s</Outputs>
</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`, html.EscapeString(stack), members.String())
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Asked is the requests it answered, as "Action StackName".
func (s *stackStandIn) Asked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asked...)
}
