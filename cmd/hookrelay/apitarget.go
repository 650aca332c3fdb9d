package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/spf13/pflag"

	"github.com/hookrelay/hookrelay/shared/config"
	"github.com/hookrelay/hookrelay/shared/devrun"
	"github.com/hookrelay/hookrelay/shared/devstate"
)

// apiTarget is how the tenant-API commands reach an API: the running
// `make dev` with a dev token for --org by default, or --api and a token
// ($HOOKRELAY_TOKEN, --token - or --token).
type apiTarget struct {
	org, apiURL, token string
	// tokenFrom names where a given token came from, for the errors
	// (never the token itself): "--token", "--token -" or "$HOOKRELAY_TOKEN".
	tokenFrom string
	flags     *pflag.FlagSet
	// local: the URL is the running make dev's (not --api), so a failed
	// connection may mean it is not running.
	local bool
	// devToken: the token is a dev token the CLI signed for --org.
	devToken bool
}

func (a *apiTarget) addFlags(flags *pflag.FlagSet, orgUsage string) {
	a.flags = flags
	flags.StringVar(&a.org, "org", "", orgUsage)
	flags.StringVar(&a.apiURL, "api", "", "API root URL: the stack's ApiUrl output, http(s)://host[:port][/stage/] (default: http://$"+config.EnvAddr+" if set, else the running make dev's)")
	flags.StringVar(&a.token, "token", "", tokenInput.usage("a deployed stack's bearer token, used instead of a dev token for --org"))
}

// tokenHelp is the tenant-API commands' help on giving a deployed stack's
// token.
var tokenHelp = tokenInput.sources("JWT") + " Without one, the CLI signs a dev token for --org, which only `make dev` accepts."

// resolve reads the token (stdin's when --token -), checks --api and fills
// the API URL (the running make dev's by default) and, without a token, a
// short dev token for --org.
func (a *apiTarget) resolve(ctx context.Context, stdin io.Reader, cfg config.Config) error {
	if err := a.readToken(ctx, stdin, os.LookupEnv); err != nil {
		return err
	}
	if a.token == "" && a.org == "" {
		return errors.New("--org is required (or, for a deployed stack, " + giveAToken + ")")
	}
	if err := a.checkOrgOfToken(cfg.OrgClaim); err != nil {
		return err
	}
	var err error
	if a.apiURL != "" {
		if a.apiURL, err = checkAPIURL(a.apiURL); err != nil {
			return fmt.Errorf("--api %w", err)
		}
	} else if err = a.localAPI(cfg); err != nil {
		return err
	}
	if a.token != "" {
		// A deployed stack is https only: http:// elsewhere is a typo
		// that would put the token on the wire in clear text.
		if plainHTTP(a.apiURL) && !loopback(a.apiURL) {
			return fmt.Errorf("%s is not on this machine: %s goes only over https there, never in clear text", a.apiURL, a.tokenFrom)
		}
		return nil
	}
	if !loopback(a.apiURL) {
		from := "--api " + a.apiURL
		if a.local { // the state file names make dev, so $HOOKRELAY_ADDR did
			from = "$" + config.EnvAddr + " (" + a.apiURL + ")"
		}
		return fmt.Errorf("%s is not on this machine: %s; the dev token the CLI signs for --org works only with `make dev`", from, giveAToken)
	}
	a.devToken = true
	a.token, err = devToken(cfg, a.org, false, 5*time.Minute)
	return err
}

// loopback reports whether apiURL (checked) names this machine: localhost
// or a loopback address, where `make dev` runs.
func loopback(apiURL string) bool {
	u, err := url.Parse(apiURL)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainHTTP reports whether apiURL (checked) is http://, not https://.
func plainHTTP(apiURL string) bool {
	u, err := url.Parse(apiURL)
	return err == nil && u.Scheme == "http"
}

// localAPI finds the running `make dev` as the dlq commands do, through
// its state file; $HOOKRELAY_ADDR, when set, names it instead.
func (a *apiTarget) localAPI(cfg config.Config) error {
	a.local = true
	if strings.TrimSpace(os.Getenv(config.EnvAddr)) != "" {
		// It is make dev's listen address, which the URL is made from: a
		// URL there would become http://http://… and be blamed on --api.
		if _, _, err := net.SplitHostPort(cfg.Addr); err != nil || strings.Contains(cfg.Addr, "/") {
			return fmt.Errorf("$%s is %q: it holds the host:port make dev listens on, such as 127.0.0.1:8080, not a URL (name an API by its URL with --api)", config.EnvAddr, cfg.Addr)
		}
		a.apiURL = "http://" + cfg.Addr
		return nil
	}
	// Not running, or no repository to find it in (run elsewhere): either
	// way the likely slip is a forgotten --api, which the error names.
	s, dir, err := devrun.Running()
	if err != nil {
		return fmt.Errorf("%w, or name an API with --api (and, for a deployed stack, %s)", err, giveAToken)
	}
	if a.apiURL, err = checkAPIURL(s.API); err != nil {
		return fmt.Errorf("the API in %s: %w", filepath.Join(dir, devstate.FileName), err)
	}
	return nil
}

// checkAPIURL accepts an http(s) URL with a host, without a query or a
// fragment (request paths are appended to it), and drops a trailing /.
func checkAPIURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: want an http or https URL with a host, such as http://127.0.0.1:8080", raw)
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// checkOrgOfToken: beside a token, --org can only say whose token it is.
// The token's claim names the organization the API acts for, so a link or
// recover for another one than --org asked for is refused here, before
// anything is sent. The claim is read, not verified: the API verifies.
func (a *apiTarget) checkOrgOfToken(claim string) error {
	if a.token == "" || a.org == "" {
		return nil
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(a.token, claims); err != nil {
		return fmt.Errorf("--org %s beside a token (%s) that is not a JWT: leave --org out (the token names the organization)", a.org, a.tokenFrom)
	}
	if got, _ := claims[claim].(string); got != a.org {
		return fmt.Errorf("--org %s, but the token's %s is %q: the token (%s) names the organization acted for; leave --org out or give that organization's token", a.org, claim, got, a.tokenFrom)
	}
	return nil
}
