package awssecrets

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hookrelay/hookrelay/shared/awsclient"
)

// fakeSM speaks the Secrets Manager JSON 1.1 protocol for the four calls
// the adapter makes, with AWS's error types, and records every request.
type fakeSM struct {
	t        *testing.T
	mu       sync.Mutex
	secrets  map[string]string // name -> SecretString
	deleted  map[string]bool   // scheduled for deletion
	requests []fakeRequest
	// failWith, when set, answers every call with this error type and a
	// message echoing the request body (a worst case for leaking values).
	failWith string
	failOnly string // limits failWith to this X-Amz-Target when set
}

type fakeRequest struct {
	Target string
	Body   map[string]any
}

func newFakeSM(t *testing.T) (*fakeSM, *httptest.Server) {
	f := &fakeSM{t: t, secrets: map[string]string{}, deleted: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

// newAWSForTest builds the adapter the way production does, only with the
// endpoint pointed at srv (no custom http.Client: AWS_CA_BUNDLE is set).
func newStoreForTest(t *testing.T, srv *httptest.Server, prefix string) *Store {
	t.Helper()
	cfg, err := awsclient.Local(context.Background(), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	api := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
	})
	return New(api, prefix)
}

func (f *fakeSM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		f.t.Errorf("%s: Content-Type = %q", target, ct)
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		f.t.Errorf("%s: body is not JSON", target)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, fakeRequest{Target: target, Body: body})
	if f.failWith != "" && (f.failOnly == "" || f.failOnly == target) {
		fail(w, f.failWith, "request rejected: "+string(raw))
		return
	}
	name, _ := body["Name"].(string)
	if id, ok := body["SecretId"].(string); ok {
		name = id
	}
	arn := "arn:aws:secretsmanager:us-east-1:123456789012:secret:" + name + "-AbCdEf"
	_, exists := f.secrets[name]
	switch target {
	case "secretsmanager.CreateSecret":
		if f.deleted[name] {
			fail(w, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")
			return
		}
		if exists {
			fail(w, "ResourceExistsException", fmt.Sprintf("The operation failed because the secret %s already exists.", name))
			return
		}
		f.secrets[name] = body["SecretString"].(string)
		reply(w, map[string]any{"ARN": arn, "Name": name, "VersionId": "v1"})
	case "secretsmanager.GetSecretValue", "secretsmanager.PutSecretValue", "secretsmanager.DeleteSecret":
		if f.deleted[name] {
			fail(w, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
			return
		}
		if !exists {
			fail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		switch target {
		case "secretsmanager.GetSecretValue":
			reply(w, map[string]any{"ARN": arn, "Name": name, "SecretString": f.secrets[name],
				"VersionId": "v1", "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9})
		case "secretsmanager.PutSecretValue":
			f.secrets[name] = body["SecretString"].(string)
			reply(w, map[string]any{"ARN": arn, "Name": name, "VersionId": "v2", "VersionStages": []string{"AWSCURRENT"}})
		default:
			f.deleted[name] = true
			reply(w, map[string]any{"ARN": arn, "Name": name, "DeletionDate": 1.7e9})
		}
	default:
		fail(w, "InvalidAction", "unexpected target "+target)
	}
}

// setFail arms (or, with "", disarms) the failure mode.
func (f *fakeSM) setFail(errType, onlyTarget string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failWith, f.failOnly = errType, onlyTarget
}

func (f *fakeSM) lastRequests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(v)
}

// fail answers like AWS: 400, the type in X-Amzn-ErrorType and __type.
func fail(w http.ResponseWriter, errType, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", errType)
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": errType, "message": message})
}

// decodeSecretString returns the stored document's raw fields.
func decodeSecretString(t *testing.T, s string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("SecretString is not a JSON object of strings: %v", err)
	}
	return m
}

func hasValue(err error, value string) bool { return strings.Contains(err.Error(), value) }
