package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/hookrelay/hookrelay/shared/config"
)

// apiTarget is how the tenant-API commands reach an API: the running
// `make dev` with a dev token for --org by default, or --api and --token.
type apiTarget struct {
	org, apiURL, token string
}

func (a *apiTarget) addFlags(flags interface {
	StringVar(p *string, name, value, usage string)
}, orgUsage string) {
	flags.StringVar(&a.org, "org", "", orgUsage)
	flags.StringVar(&a.apiURL, "api", "", "API root URL (default http://$"+config.EnvAddr+", the running make dev)")
	flags.StringVar(&a.token, "token", "", "bearer token to use instead of a dev token (a deployed stack)")
}

// resolve fills the token (a short dev token for --org) and the API URL.
func (a *apiTarget) resolve(cfg config.Config) error {
	if a.token == "" {
		if a.org == "" {
			return errors.New("--org is required (or pass --token)")
		}
		var err error
		if a.token, err = devToken(cfg, a.org, false, 5*time.Minute); err != nil {
			return err
		}
	}
	if a.apiURL == "" {
		a.apiURL = "http://" + cfg.Addr
	}
	a.apiURL = strings.TrimSuffix(a.apiURL, "/")
	return nil
}

// call sends in (if not nil) as JSON to method path and decodes a want answer into
// out; any other answer is an error naming the API's error code and message.
func (a *apiTarget) call(method, path string, in any, want int, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.apiURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 60 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w (is `make dev` running?)", err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return err
	}
	if res.StatusCode != want {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil {
			return fmt.Errorf("the API answered %s with a body that is not JSON", res.Status)
		}
		return fmt.Errorf("the API answered %s: %s: %s", res.Status, e.Error.Code, e.Error.Message)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("the API answered %s with a body that is not JSON", res.Status)
	}
	return nil
}
