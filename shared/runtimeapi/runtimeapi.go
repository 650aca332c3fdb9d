// Package runtimeapi runs a built Lambda bootstrap the way the Lambda
// service does, for tests and benchmarks: a fake Runtime API (the four
// routes a Go runtime client calls) on 127.0.0.1, the process started with
// AWS_LAMBDA_RUNTIME_API pointing at it, and one invocation at a time
// handed out through GET .../invocation/next.
package runtimeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

const prefix = "/2018-06-01/runtime/"

// Function is one running bootstrap process and its Runtime API.
type Function struct {
	cmd     *exec.Cmd
	srv     *http.Server
	started time.Time
	output  bytes.Buffer // the process's stdout and stderr (its log)
	exited  chan struct{}
	waitErr error
	served  sync.WaitGroup

	next      chan *invocation // invocations waiting for GET /next
	firstNext chan struct{}    // closed on the first GET /next
	initDone  time.Time        // when the first GET /next arrived
	once      sync.Once

	mu      sync.Mutex
	pending map[string]*invocation
	seq     int
}

type invocation struct {
	id     string
	event  []byte
	result chan Result
}

// Result is what the function answered to one invocation.
type Result struct {
	Payload []byte         // POST .../response
	Error   *FunctionError // POST .../error
}

// FunctionError is the body a runtime posts for a failed invocation or init.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Start serves a Runtime API on a free loopback port and starts bootstrap
// with env (and nothing inherited: Lambda sets the environment).
func Start(bootstrap string, env []string) (*Function, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &Function{
		exited: make(chan struct{}), next: make(chan *invocation),
		firstNext: make(chan struct{}), pending: map[string]*invocation{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+prefix+"invocation/next", f.serveNext)
	mux.HandleFunc("POST "+prefix+"invocation/{id}/response", f.serveResult(false))
	mux.HandleFunc("POST "+prefix+"invocation/{id}/error", f.serveResult(true))
	mux.HandleFunc("POST "+prefix+"init/error", f.serveInitError)
	f.srv = &http.Server{Handler: mux}
	f.served.Go(func() { f.srv.Serve(ln) })

	f.cmd = exec.Command(bootstrap)
	f.cmd.Env = append([]string{"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String()}, env...)
	f.cmd.Stdout, f.cmd.Stderr = &lockedWriter{w: &f.output, mu: &f.mu}, &lockedWriter{w: &f.output, mu: &f.mu}
	f.started = time.Now()
	if err := f.cmd.Start(); err != nil {
		f.srv.Close()
		f.served.Wait()
		return nil, err
	}
	go func() {
		f.waitErr = f.cmd.Wait()
		close(f.exited)
	}()
	return f, nil
}

// InitDuration waits for the function's first GET /next and returns the
// time from process start to it: Lambda's init phase.
func (f *Function) InitDuration(ctx context.Context) (time.Duration, error) {
	select {
	case <-f.firstNext:
		return f.initDone.Sub(f.started), nil
	case <-f.exited:
		return 0, fmt.Errorf("bootstrap exited during init (%v); its output:\n%s", f.waitErr, f.Output())
	case <-ctx.Done():
		return 0, fmt.Errorf("no GET /next before %w; its output:\n%s", ctx.Err(), f.Output())
	}
}

// Invoke hands event (JSON) to the function and waits for its answer.
// A function error is returned as *FunctionError.
func (f *Function) Invoke(ctx context.Context, event any) ([]byte, error) {
	body, err := json.Marshal(event)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.seq++
	inv := &invocation{id: "req-" + strconv.Itoa(f.seq), event: body, result: make(chan Result, 1)}
	f.pending[inv.id] = inv
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.pending, inv.id)
		f.mu.Unlock()
	}()
	select {
	case f.next <- inv:
	case <-f.exited:
		return nil, fmt.Errorf("bootstrap exited (%v); its output:\n%s", f.waitErr, f.Output())
	case <-ctx.Done():
		return nil, fmt.Errorf("bootstrap did not ask for the invocation: %w", ctx.Err())
	}
	select {
	case r := <-inv.result:
		if r.Error != nil {
			return nil, r.Error
		}
		return r.Payload, nil
	case <-f.exited:
		return nil, fmt.Errorf("bootstrap exited during the invocation (%v); its output:\n%s", f.waitErr, f.Output())
	case <-ctx.Done():
		return nil, fmt.Errorf("no answer to the invocation: %w", ctx.Err())
	}
}

// Output is what the process wrote so far.
func (f *Function) Output() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.output.String()
}

// Stop kills the process (Lambda freezes or kills it the same way, with no
// signal to clean up on) and stops the Runtime API.
func (f *Function) Stop() {
	f.cmd.Process.Kill()
	<-f.exited
	f.srv.Close()
	f.served.Wait()
}

func (f *Function) serveNext(w http.ResponseWriter, r *http.Request) {
	f.once.Do(func() {
		f.initDone = time.Now()
		close(f.firstNext)
	})
	select {
	case inv := <-f.next:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:hookrelay")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
		h.Set("Content-Type", "application/json")
		w.Write(inv.event)
	case <-r.Context().Done(): // Stop: the server closes the long poll
	}
}

func (f *Function) serveResult(failed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		inv := f.pending[r.PathValue("id")]
		f.mu.Unlock()
		body, err := io.ReadAll(r.Body)
		if inv == nil || err != nil {
			http.Error(w, `{"errorType":"InvalidRequestID"}`, http.StatusBadRequest)
			return
		}
		res := Result{Payload: body}
		if failed {
			res = Result{Error: decodeError(body)}
		}
		inv.result <- res
		w.WriteHeader(http.StatusAccepted)
	}
}

func (f *Function) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	fmt.Fprintf(&f.output, "init error: %s\n", decodeError(body))
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func decodeError(body []byte) *FunctionError {
	e := &FunctionError{}
	if err := json.Unmarshal(body, e); err != nil || e.Type == "" && e.Message == "" {
		return &FunctionError{Type: "Unparsed", Message: string(body)}
	}
	return e
}

// lockedWriter serializes the process's two output pipes into one buffer.
type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
