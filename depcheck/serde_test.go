package depcheck

import (
	"strings"
	"testing"
)

// From its schema-based serde release on, an AWS SDK service module links
// and builds every shape of its service (its schemas package), 0.1 to
// 0.4 MB per Lambda: go.mod keeps each service module the Lambdas link at
// its last release before it. dynamodbstreams, which attributevalue links
// for its stream types, once crept past it as an indirect requirement and
// took api over its 10 MB budget.
func TestLambdasLinkNoSchemaBasedAWSClient(t *testing.T) {
	g := graph(t)
	for _, fn := range packagesUnder(g, "functions") {
		for _, dep := range g[fn].deps {
			if strings.HasPrefix(dep, "github.com/aws/aws-sdk-go-v2/service/") && strings.HasSuffix(dep, "/schemas") {
				t.Errorf("%s links %s: pin that service module to its last release before schema-based serde (go.mod)", fn, dep)
			}
		}
	}
}
