package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// apiTransport carries the API calls; a variable so that a test can refuse
// a connection without relying on a closed port staying free.
var apiTransport = http.DefaultTransport

// call sends in (if not nil) as JSON to method path and decodes a want answer into
// out; any other answer is an error saying what the API answered (apiError).
// ctx is the command's: the operator's Ctrl-C abandons the request.
func (a *apiTarget) call(ctx context.Context, method, path string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.apiURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// No redirects: the API answers none, and Go re-sends Authorization
	// on a redirect to the same host even from https to http, which would
	// put the token on the wire in clear text. A 3xx is reported as is.
	client := &http.Client{Transport: apiTransport, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		if a.local && connectionRefused(err) {
			return fmt.Errorf("%w (is `make dev` running?)", err)
		}
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		err := apiError(res.Status, raw)
		if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
			switch {
			case a.devToken:
				err = fmt.Errorf("%w (the CLI signed a dev token for --org, which only `make dev` accepts: for a deployed stack, %s)", err, giveAToken)
			case a.tokenFrom == "$"+envToken:
				// Set for a deployed stack, it is used against make dev too.
				err = fmt.Errorf("%w (the token was $%s's)", err, envToken)
			}
		}
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the API answered %s with a body that is not JSON", res.Status)
	}
	return nil
}

// connectionRefused reports whether err is a failure to connect (nothing
// listening, no route), the error a stopped `make dev` gives.
func connectionRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
