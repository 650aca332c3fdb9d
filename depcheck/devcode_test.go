package depcheck

import "testing"

// devOnly are the packages that exist for `hookrelay dev` and the tests:
// emulator launchers, the local runtime (its pollers) and its state file, the dev JWT
// key and signer, the local bus and secret store, the test receiver and test fixtures,
// the emulators' SDK config and the cost report's meter and prices. Prefixes,
// but for an entry ending in "$", which names one package (the Lambdas link
// shared/awsclient/ownbody on purpose).
var devOnly = []string{
	"cmd/", "e2e", "shared/awsclient$", "shared/awsmeter", "shared/cost",
	"shared/emulator", "shared/devrun", "shared/devstate", "shared/devauth", "shared/devbus", "shared/devsecrets", "shared/fakesm",
	"shared/listener", "shared/poller", "shared/testenv", "shared/runtimeapi", "shared/bus/bustest", "shared/secrets/secretstest", "catalog/catalogtest",
	"github.com/golang-jwt/", // only the dev signer checks JWTs; API Gateway does it in AWS
}

func TestLambdasLinkNoDevelopmentCode(t *testing.T) {
	g := graph(t)
	functions := packagesUnder(g, "functions")
	if len(functions) < 3 {
		t.Fatalf("found Lambdas %v, want functions/api, deliver and fanout at least", functions)
	}
	for _, fn := range functions {
		for _, dep := range linksPrefix(g[fn], devOnly...) {
			t.Errorf("%s links %s (development code)", fn, dep)
		}
	}
}
