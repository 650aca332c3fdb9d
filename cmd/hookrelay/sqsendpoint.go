package main

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// sqsEndpoint is where the requests about a queue go. The SDK sends a
// queue URL only as a parameter, to the endpoint its client resolved, so
// the client must be built for the URL's endpoint, or the commands act on
// a same-named queue elsewhere.
type sqsEndpoint struct {
	host   string // the URL's host[:port], to name it
	region string // the AWS region the host names, if it names one
	// base is the URL's scheme://host[:port] for a host that is not one
	// of SQS's standard regional endpoints (an emulator, a VPC endpoint):
	// requests go there. Empty: the SDK's endpoint for region, which
	// AWS_ENDPOINT_URL_SQS may still override.
	base string
}

// awsRegion is how AWS names a region: us-east-1, us-gov-west-1,
// cn-north-1, eusc-de-east-1 (the European Sovereign Cloud).
const awsRegion = `[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}`

var (
	regionLabel = regexp.MustCompile(`^` + awsRegion + `$`)
	// standardSQSHost is SQS's regional endpoint in each partition, and
	// the legacy <region>.queue.amazonaws.com form.
	standardSQSHost = regexp.MustCompile(`^(?:sqs\.` + awsRegion + `\.(?:amazonaws\.com|amazonaws\.com\.cn|amazonaws\.eu|c2s\.ic\.gov|sc2s\.sgov\.gov)|` +
		awsRegion + `\.queue\.amazonaws\.com(?:\.cn)?|queue\.amazonaws\.com)$`)
)

// endpointOf says where requests about the queue at raw go.
func endpointOf(raw string) sqsEndpoint {
	u, err := url.Parse(raw)
	if err != nil { // a stack output's, checked by no one else
		return sqsEndpoint{host: raw, base: raw}
	}
	// One endpoint however it is written: any case, a fully qualified
	// name's trailing dot, the scheme's own port.
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	port := u.Port()
	if port == map[string]string{"https": "443", "http": "80"}[u.Scheme] {
		port = ""
	}
	hostport := host
	if port != "" {
		hostport = net.JoinHostPort(host, port)
	}
	e := sqsEndpoint{host: hostport}
	for _, label := range strings.Split(host, ".") {
		if regionLabel.MatchString(label) {
			e.region = label
			break
		}
	}
	if host == "queue.amazonaws.com" {
		e.region = "us-east-1"
	}
	if !standardSQSHost.MatchString(host) || port != "" {
		e.base = u.Scheme + "://" + hostport
	}
	return e
}

// same reports whether requests about both queues go to one place.
func (e sqsEndpoint) same(o sqsEndpoint) bool {
	return e.region == o.region && e.base == o.base
}

func (e sqsEndpoint) String() string {
	if e.region == "" {
		return e.host
	}
	return fmt.Sprintf("%s (%s)", e.host, e.region)
}

// sqsOptions builds an SQS client for the endpoint.
func (e sqsEndpoint) sqsOptions(o *sqs.Options) {
	if e.region != "" {
		o.Region = e.region
	}
	if e.base != "" {
		o.BaseEndpoint = aws.String(e.base)
	}
}

// dynamoOptions puts the table's client in the DLQ's region: a stack's
// table and queues are in one. Its endpoint stays the SDK's (or
// AWS_ENDPOINT_URL_DYNAMODB): an SQS emulator's says nothing of it.
func (e sqsEndpoint) dynamoOptions(o *dynamodb.Options) {
	if e.region != "" {
		o.Region = e.region
	}
}
