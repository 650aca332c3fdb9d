package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// RFC 3339 (§5.6) lets "T" and "Z" be lower case: recover takes either.
func TestRecoverSinceTakesLowerCaseTAndZ(t *testing.T) {
	t.Parallel()
	he := newHealthEnv(t)
	tok := he.token("org_case")
	id := he.create(tok, createBody("flaky", "emailOpen")).ID
	since := strings.ToLower(time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	if res := he.do(http.MethodPost, webhooksPath+"/"+id+"/recover", tok, map[string]any{"since": since}); res.status != http.StatusAccepted {
		t.Fatalf("recover since %s: %d %s", since, res.status, res.body)
	}
}
