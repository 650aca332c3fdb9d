package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/hookrelay/hookrelay/shared/auth"
)

// inProcessKey marks a request built by Call. Only code in this process can
// put a value under an unexported key, so no client can claim it.
type inProcessKey struct{}

// authenticate identifies the caller: the principal Call attached, or the
// configured authenticator's answer for a request from outside.
func (s *server) authenticate(r *http.Request) (auth.Principal, error) {
	if p, ok := r.Context().Value(inProcessKey{}).(auth.Principal); ok {
		return p, nil
	}
	return s.d.Auth.Authenticate(r)
}

// CallError is a non-2xx answer of an in-process call: the JSON error body
// the API would have sent a client.
type CallError struct {
	Status  int
	Code    string
	Message string
	// RetryAfter is the API's Retry-After in seconds (a 429); 0: none.
	RetryAfter int
}

func (e *CallError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Call serves one request on api (a handler from NewHandler) for p, who
// authenticated some other way (the tenant portal's session cookie). Going
// through the handler gives such callers exactly the API's validation,
// limits, errors and access log. The principal never has the operator
// role: an in-process caller cannot reach the admin API.
//
// Each call is a request against the organization's rate limit; under a
// ctx from AdmitOnce or Admit, ten calls are one.
//
// body, when not nil, is sent as JSON; a 2xx answer is decoded into out
// (when not nil); any other answer is a *CallError.
func Call(ctx context.Context, api http.Handler, p auth.Principal, method, path string, body, out any) error {
	p.Operator = false
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, inProcessKey{}, p), method, path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res := &bufferedResponse{header: http.Header{}}
	api.ServeHTTP(res, req)
	if res.status == 0 {
		res.status = http.StatusOK
	}
	if res.status < 200 || res.status > 299 {
		var eb errorBody
		if json.Unmarshal(res.body.Bytes(), &eb) != nil || eb.Error.Code == "" {
			return &CallError{Status: res.status, Code: codeInternal, Message: "internal error"}
		}
		retry, _ := strconv.Atoi(res.header.Get("Retry-After"))
		return &CallError{Status: res.status, Code: eb.Error.Code, Message: eb.Error.Message, RetryAfter: retry}
	}
	if out == nil || res.body.Len() == 0 {
		return nil
	}
	return json.Unmarshal(res.body.Bytes(), out)
}

// bufferedResponse collects an in-process answer.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
