package depcheck

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// domain are the packages that hold hookrelay's rules. They declare the
// small interfaces they need and never see an AWS SDK type, so they read
// (and test) without AWS; shared/app/* wires them to the adapters.
var domain = []string{
	"shared/api", "shared/auth", "shared/bus", "shared/config", "shared/deliverylog",
	"shared/delivery", "shared/dlq", "shared/envelope", "shared/fanout", "shared/healthnotice", "shared/ids", "shared/message",
	"shared/netguard", "shared/queue", "shared/secrets", "shared/signing",
	"shared/webhook", "verify",
}

// adapters are the AWS adapters, one per service: each imports the SDK
// client of its service and no other.
var adapters = map[string]string{
	"shared/dynamo":     "dynamodb",
	"shared/sqsqueue":   "sqs",
	"shared/awsbus":     "eventbridge",
	"shared/awssecrets": "secretsmanager",
	"shared/awskms":     "kms",
}

const sdk = "github.com/aws/aws-sdk-go-v2"

func TestDomainLinksNoAWSSDK(t *testing.T) {
	g := graph(t)
	for _, name := range domain {
		p, ok := g[name]
		if !ok {
			t.Errorf("domain package %s does not exist (renamed? update this list)", name)
			continue
		}
		if sdkDeps := linksPrefix(p, sdk, "github.com/aws/smithy-go"); len(sdkDeps) > 0 {
			t.Errorf("%s links the AWS SDK: %v", name, sdkDeps)
		}
	}
}

func TestOneAdapterPerAWSService(t *testing.T) {
	g := graph(t)
	for name, p := range g {
		var services []string
		for _, imp := range p.imports {
			if rest, ok := strings.CutPrefix(imp, sdk+"/service/"); ok {
				services = append(services, strings.Split(rest, "/")[0])
			}
		}
		slices.Sort(services)
		services = slices.Compact(services)
		if len(services) == 0 || isWiring(name) {
			continue
		}
		if want, ok := adapters[name]; !ok || len(services) != 1 || services[0] != want {
			t.Errorf("%s imports the SDK clients of %v; only the adapter of a service may, one service each (%v)", name, services, adapters)
		}
	}
}

// isWiring reports the packages that construct SDK clients to hand them to
// the adapters (Lambda mains, the local runtime, the CDK app, tests' and
// tools' plumbing), which is what wiring is for; shared/app holds what the
// wirings share.
func isWiring(name string) bool {
	if name == "shared/app" {
		return true
	}
	for _, pre := range []string{"functions/", "cmd/", "infra", "shared/app/", "shared/devrun", "shared/testenv", "shared/costrun", "shared/permissions", "shared/awsmeter"} {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	return false
}

// The receiver package is what tenants import into their own services: it
// must cost them nothing beyond the standard library.
func TestReceiverPackageIsStandardLibraryOnly(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./verify")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if got := strings.Fields(string(out)); !slices.Equal(got, []string{module + "verify"}) {
		t.Fatalf("verify links %v beyond the standard library", got)
	}
}
