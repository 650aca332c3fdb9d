// Package fakesm is a fake AWS Secrets Manager on a loopback HTTP server
// (no emulator of it runs here): the JSON 1.1 protocol of the calls the
// awssecrets adapter makes, with AWS's error types. It records every
// request, so tests can check the adapter's wire requests and `make cost`
// can run the real adapter through its metered SDK config. Dev and test
// code only.
package fakesm

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Server is the fake. Its zero value is not usable: Start one.
type Server struct {
	URL      string
	srv      *httptest.Server
	mu       sync.Mutex
	secrets  map[string]string // name -> SecretString
	deleted  map[string]bool   // scheduled for deletion
	requests []Request
	// protocolErrors are requests that did not speak the JSON 1.1
	// protocol (wrong Content-Type, a body that is not JSON).
	protocolErrors []string
	// failWith, when set, answers every call with this error type and a
	// message echoing the request body (a worst case for leaking values).
	failWith string
	failOnly string // limits failWith to this X-Amz-Target when set
}

// Request is one recorded call.
type Request struct {
	Target string // X-Amz-Target, e.g. "secretsmanager.CreateSecret"
	Body   map[string]any
}

// Start runs the fake on a loopback port until Close.
func Start() *Server {
	f := &Server{secrets: map[string]string{}, deleted: map[string]bool{}}
	f.srv = httptest.NewServer(f)
	f.URL = f.srv.URL
	return f
}

// Close stops the server.
func (f *Server) Close() { f.srv.Close() }

// ProtocolErrors returns what was wrong with requests that did not speak
// the protocol; a test fails on any.
func (f *Server) ProtocolErrors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.protocolErrors...)
}

// Fail arms (or, with "", disarms) the failure mode: every call, or only
// calls of onlyTarget when it is set, answers errType.
func (f *Server) Fail(errType, onlyTarget string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failWith, f.failOnly = errType, onlyTarget
}

// Requests returns the calls recorded since the last Requests.
func (f *Server) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

// Put stores a raw SecretString under name.
func (f *Server) Put(name, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[name] = value
}

// Secret returns the SecretString stored under name.
func (f *Server) Secret(name string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.secrets[name]
	return v, ok
}

func (f *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	f.mu.Lock()
	defer f.mu.Unlock()
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		f.protocolErrors = append(f.protocolErrors, fmt.Sprintf("%s: Content-Type = %q", target, ct))
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		f.protocolErrors = append(f.protocolErrors, target+": body is not JSON")
		smFail(w, "SerializationException", "body is not JSON")
		return
	}
	f.requests = append(f.requests, Request{Target: target, Body: body})
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
