// Package listener is the receiver behind `hookrelay listen`: a local
// endpoint that verifies both signature families, prints every event and
// answers with a chosen status or delay, so a developer can watch deliveries,
// retries, dead-lettering and timeouts happen (like `stripe listen`).
package listener

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/secrets"
	"github.com/hookrelay/hookrelay/shared/wait"
	"github.com/hookrelay/hookrelay/verify"
)

// maxBody bounds what one request may send: SQS messages, and so envelopes,
// are at most 256 KiB.
const maxBody = 1 << 20

// Options choose the listener's answers. Zero values: status 200, no
// failures first, no delay, prefix Hookrelay.
type Options struct {
	Secret    string        // whsec_... as the API returned it
	Prefix    string        // X-<Prefix>-* header brand
	Status    int           // the answer once FailFirst is used up
	FailFirst int           // answer 500 to the first N requests of each delivery id
	Delay     time.Duration // wait this long before answering (timeouts demo)
	Out       io.Writer     // where events are printed
	Now       func() time.Time
}

// Listener is an http.Handler.
type Listener struct {
	o        Options
	verifier verify.Verifier
	outMu    sync.Mutex // one event's block is never interleaved with another's
	seenMu   sync.Mutex
	seen     map[string]int // verified requests per delivery id
}

// CheckStatus refuses a status the listener cannot answer with.
func CheckStatus(status int) error {
	if status < 200 || status > 599 {
		return fmt.Errorf("status %d is not an HTTP status (200..599)", status)
	}
	return nil
}

// New checks the options; a zero Status means 200.
func New(o Options) (*Listener, error) {
	if err := verify.CheckSecret(o.Secret); err != nil {
		return nil, fmt.Errorf("secret must be the signing_secret the API returned (%s...): %w", secrets.Prefix, err)
	}
	if o.Status == 0 {
		o.Status = http.StatusOK
	}
	if err := CheckStatus(o.Status); err != nil {
		return nil, err
	}
	if o.FailFirst < 0 {
		return nil, fmt.Errorf("--fail-first %d: must be 0 or more", o.FailFirst)
	}
	if o.Delay < 0 {
		return nil, fmt.Errorf("--delay %s: must be 0 or more", o.Delay)
	}
	if o.Prefix == "" {
		o.Prefix = verify.DefaultPrefix
	}
	if err := config.CheckHeaderPrefix(o.Prefix); err != nil {
		return nil, fmt.Errorf("prefix: %w", err)
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Listener{
		o:        o,
		verifier: verify.Verifier{Secrets: []string{o.Secret}, Prefix: o.Prefix},
		seen:     map[string]int{},
	}, nil
}

// ServeHTTP verifies, prints and answers one delivery.
func (l *Listener) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := l.o.Now()
	if r.Method != http.MethodPost {
		// The path is percent-decoded (%1b arrives as ESC) and anything that
		// reaches the port can send it, a web page's <img> included.
		l.reject(w, http.StatusMethodNotAllowed, "POST only",
			fmt.Sprintf("%s  ✗ %s %s: hookrelay only POSTs\n", clock(now), orDash(r.Method), orDash(r.URL.Path)))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		l.reject(w, http.StatusRequestEntityTooLarge, "body too large or unreadable",
			fmt.Sprintf("%s  ✗ body unreadable: %v\n", clock(now), err))
		return
	}
	req := l.describe(r.Header, body, now)
	if !req.verified() {
		l.reject(w, http.StatusBadRequest, "bad signature", req.badLine()+"\n")
		return
	}
	req.attempt = l.count(req.delivery)
	status := l.o.Status
	if req.attempt <= l.o.FailFirst {
		status = http.StatusInternalServerError
	}
	// The answer never waits on the printing: a terminal that reads slowly,
	// or a body that takes long to format, would otherwise turn into a
	// timeout at the sender, and then retries and a dead letter. The block
	// is printed while the delay runs; the handler returns once it is
	// printed, so a hung-up line comes after it.
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		l.printf("%s", req.block(status, l.o.Delay))
	}()
	if !l.wait(r) {
		<-printed
		l.printf("%s  ↳ %s hung up before the %s delay ended: it counts as a timeout\n",
			clock(l.o.Now()), req.delivery, l.o.Delay)
		return
	}
	answer(w, status)
	<-printed
}

// answer sends the status and an empty body now, before the handler
// returns: with the length stated and the header flushed, the sender has
// the whole response and need not wait for the printing.
func answer(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(status)
	flush(w)
}

// reject answers a request the listener refuses, whole, and only then
// prints its line: like an accepted one, a refused request's answer never
// waits on the terminal, or a held terminal would turn a 400 into a
// timeout and a retry. The body is what http.Error sends, with its length
// stated so the sender has all of it once it is flushed.
func (l *Listener) reject(w http.ResponseWriter, status int, msg, line string) {
	body := msg + "\n"
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body) // a sender that hung up needs no answer
	flush(w)
	l.printf("%s", line)
}

// flush sends what the handler has written now; a writer that cannot
// flush answers on return.
func flush(w http.ResponseWriter) { _ = http.NewResponseController(w).Flush() }

// count records one verified request of a delivery id and returns its
// number. Forged requests are not counted, so they cannot use up
// --fail-first.
func (l *Listener) count(delivery string) int {
	l.seenMu.Lock()
	defer l.seenMu.Unlock()
	l.seen[delivery]++
	return l.seen[delivery]
}

// wait sleeps for the delay unless the sender gives up first.
func (l *Listener) wait(r *http.Request) bool {
	return l.o.Delay <= 0 || wait.Sleep(r.Context(), l.o.Delay) == nil
}

func (l *Listener) printf(format string, args ...any) {
	l.outMu.Lock()
	defer l.outMu.Unlock()
	fmt.Fprintf(l.o.Out, format, args...)
}

func clock(t time.Time) string { return t.Format("15:04:05") }
