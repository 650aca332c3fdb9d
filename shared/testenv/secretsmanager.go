package testenv

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// SecretsManager is a fake Secrets Manager (no emulator of it runs here):
// the JSON 1.1 protocol of the calls the awssecrets adapter makes,
// with AWS's error types, on a loopback httptest server. It records every
// request so tests can check the adapter's wire requests.
type SecretsManager struct {
	URL      string
	t        testing.TB
	mu       sync.Mutex
	secrets  map[string]string // name -> SecretString
	deleted  map[string]bool   // scheduled for deletion
	requests []SecretsManagerRequest
	// failWith, when set, answers every call with this error type and a
	// message echoing the request body (a worst case for leaking values).
	failWith string
	failOnly string // limits failWith to this X-Amz-Target when set
}

// SecretsManagerRequest is one recorded call.
type SecretsManagerRequest struct {
	Target string // X-Amz-Target, e.g. "secretsmanager.CreateSecret"
	Body   map[string]any
}

// NewSecretsManager starts the fake; it stops when the test ends.
func NewSecretsManager(t testing.TB) *SecretsManager {
	f := &SecretsManager{t: t, secrets: map[string]string{}, deleted: map[string]bool{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Fail arms (or, with "", disarms) the failure mode: every call, or only
// calls of onlyTarget when it is set, answers errType.
func (f *SecretsManager) Fail(errType, onlyTarget string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failWith, f.failOnly = errType, onlyTarget
}

// Requests returns the calls recorded since the last Requests.
func (f *SecretsManager) Requests() []SecretsManagerRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

// Put stores a raw SecretString under name.
func (f *SecretsManager) Put(name, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[name] = value
}

// Secret returns the SecretString stored under name.
func (f *SecretsManager) Secret(name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.secrets[name]
	return v, ok
}

func (f *SecretsManager) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	f.requests = append(f.requests, SecretsManagerRequest{Target: target, Body: body})
	if f.failWith != "" && (f.failOnly == "" || f.failOnly == target) {
		smFail(w, f.failWith, "request rejected: "+string(raw))
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
			smFail(w, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.")
			return
		}
		if exists {
			smFail(w, "ResourceExistsException", fmt.Sprintf("The operation failed because the secret %s already exists.", name))
			return
		}
		f.secrets[name] = body["SecretString"].(string)
		smReply(w, map[string]any{"ARN": arn, "Name": name, "VersionId": "v1"})
	case "secretsmanager.GetSecretValue", "secretsmanager.PutSecretValue", "secretsmanager.DeleteSecret":
		if f.deleted[name] {
			smFail(w, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.")
			return
		}
		if !exists {
			smFail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		switch target {
		case "secretsmanager.GetSecretValue":
			smReply(w, map[string]any{"ARN": arn, "Name": name, "SecretString": f.secrets[name],
				"VersionId": "v1", "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9})
		case "secretsmanager.PutSecretValue":
			f.secrets[name] = body["SecretString"].(string)
			smReply(w, map[string]any{"ARN": arn, "Name": name, "VersionId": "v2", "VersionStages": []string{"AWSCURRENT"}})
		default:
			f.deleted[name] = true
			smReply(w, map[string]any{"ARN": arn, "Name": name, "DeletionDate": 1.7e9})
		}
	case "secretsmanager.RestoreSecret":
		if !exists {
			smFail(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
			return
		}
		delete(f.deleted, name)
		smReply(w, map[string]any{"ARN": arn, "Name": name})
	default:
		smFail(w, "InvalidAction", "unexpected target "+target)
	}
}

func smReply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(v)
}

// smFail answers like AWS: 400, the type in X-Amzn-ErrorType and __type.
func smFail(w http.ResponseWriter, errType, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", errType)
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": errType, "message": message})
}
