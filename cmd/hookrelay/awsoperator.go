package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// How long the operator commands wait on AWS before giving up: a peer
// that accepts the connection and never answers (a black-holing proxy or
// VPN) would otherwise hang a command, and the DLQ scan lock it holds,
// for good. No call the commands make waits on purpose for longer than
// a second (the scan's receives long-poll 1 s, dlq.Ops.Wait). A scan
// waits out each receive that went unanswered, as one whose answer was
// lost (its messages may be hidden), three times at most: a silent SQS
// fails a command within about a minute.
var (
	awsConnectTimeout = 10 * time.Second
	awsAnswerTimeout  = 10 * time.Second // for the response's headers; a var for tests
)

// awsTransport, when set, carries the commands' AWS calls instead of the
// network: tests see where each was meant to go without sending it.
var awsTransport aws.HTTPClient

// errNoCredentials replaces the SDK's account of each credential source
// it tried (the instance metadata service's among them).
var errNoCredentials = errors.New("no AWS credentials: log in (aws sso login) or set AWS_PROFILE")

// operatorAWSConfig is the operator commands' SDK config: the standard
// credential chain and region, the timeouts above, and the
// SDK's logger silenced (it printed an IMDSv1 fallback warning on a
// laptop without credentials). A missing credential is reported now, in
// one line, instead of at the first call.
func operatorAWSConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx,
		// A BuildableClient: the SDK still applies AWS_CA_BUNDLE to it.
		awsconfig.WithHTTPClient(operatorHTTPClient()),
		awsconfig.WithLogger(logging.Nop{}),
	)
	if err != nil {
		return cfg, err
	}
	if awsTransport != nil {
		cfg.HTTPClient = awsTransport
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return cfg, ctx.Err()
		}
		return cfg, errNoCredentials
	}
	return cfg, nil
}

// operatorHTTPClient is the SDK's HTTP client with the commands' timeouts.
func operatorHTTPClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = awsConnectTimeout }).
		WithTransportOptions(func(tr *http.Transport) { tr.ResponseHeaderTimeout = awsAnswerTimeout })
}

// explainSilence turns a call that timed out on AWS's side into one line
// naming the service and host (the SDK's line has the operation, the
// attempts and the endpoint's URL); other errors pass as they are.
func explainSilence(err error) error {
	var netErr net.Error
	var urlErr *url.Error
	if err == nil || !errors.As(err, &netErr) || !netErr.Timeout() || !errors.As(err, &urlErr) {
		return err
	}
	service := "AWS"
	if opErr := (*smithy.OperationError)(nil); errors.As(err, &opErr) {
		service = opErr.Service()
	}
	host := urlErr.URL
	if u, perr := url.Parse(urlErr.URL); perr == nil {
		host = u.Host
	}
	if dialErr := (*net.OpError)(nil); errors.As(err, &dialErr) && dialErr.Op == "dial" {
		return fmt.Errorf("could not connect to %s at %s within %s: check the network path (VPN, proxy) to it", service, host, awsConnectTimeout)
	}
	return fmt.Errorf("%s at %s did not answer within %s: check the network path (VPN, proxy) to it", service, host, awsAnswerTimeout)
}
