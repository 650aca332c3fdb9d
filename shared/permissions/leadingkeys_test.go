package permissions

import (
	"go/types"
	"slices"
	"testing"

	"github.com/hookrelay/hookrelay/shared/dynamo"
)

// keyBuilders are shared/dynamo's functions that build a partition key,
// each with the prefix its keys start with: every key the table adapter
// writes or reads comes from one of them.
var keyBuilders = map[string]string{
	"orgPK": dynamo.OrgKeyPrefix, "WebhookKey": dynamo.OrgKeyPrefix,
	"attemptPK":        dynamo.AttemptKeyPrefix,
	"deadLetterPK":     dynamo.DeadLetterKeyPrefix,
	"deadLetterPosKey": dynamo.DeadLetterPosKeyPrefix,
	"deliveryKey":      dynamo.DeliveryKeyPrefix,
	"idemKey":          dynamo.IdempotencyKeyPrefix,
	"lockKey":          dynamo.LockKeyPrefix,
	"parkedPK":         dynamo.ParkedKeyPrefix,
	"parkScanPK":       dynamo.ParkScanKeyPrefix,
	"portalKey":        dynamo.PortalKeyPrefix,
}

// TestLeadingKeysAreExactlyTheKeysTheCodeBuilds: a function whose table
// grants are all limited to key prefixes (dynamodb:LeadingKeys) is granted
// exactly the prefixes of the keys its code can build, so a new kind of
// item fails here until it is granted (on AWS the call would be denied),
// and a prefix whose last use is gone fails too. A function with an
// unlimited table grant (api) is not checked.
func TestLeadingKeysAreExactlyTheKeysTheCodeBuilds(t *testing.T) {
	g := loadGraph(t, "./functions/...")
	builders := map[*types.Func]string{}
	for f := range g.funcs {
		if f.Pkg() == nil || f.Pkg().Path() != module+"/shared/dynamo" || f.Signature().Recv() != nil {
			continue
		}
		if prefix, ok := keyBuilders[f.Name()]; ok {
			builders[f] = prefix
		}
	}
	if len(builders) != len(keyBuilders) {
		t.Fatalf("found %d of the %d key builders in shared/dynamo: one was renamed or removed", len(builders), len(keyBuilders))
	}
	limited := 0
	for _, fn := range Functions() {
		granted, all := tablePrefixes(fn)
		if !all {
			continue
		}
		limited++
		reached := g.reachedFuncs(t, module+"/functions/"+fn)
		var built []string
		for f, prefix := range builders {
			if reached[f] && !slices.Contains(built, prefix) {
				built = append(built, prefix)
			}
		}
		slices.Sort(built)
		if !slices.Equal(built, granted) {
			t.Errorf("%s builds keys starting %v; its table grants allow %v", fn, built, granted)
		}
	}
	if limited < 2 {
		t.Errorf("only %d functions have every table grant limited to key prefixes; fanout and deliver should", limited)
	}
}

// tablePrefixes is the sorted union of fn's table grants' LeadingKeys, and
// whether every one of its table grants has them.
func tablePrefixes(fn string) (prefixes []string, all bool) {
	all = true
	for _, store := range SecretStores {
		for _, g := range Grants(fn, store) {
			if g.Resource != Table {
				continue
			}
			if len(g.LeadingKeys) == 0 {
				all = false
			}
			for _, p := range g.LeadingKeys {
				if !slices.Contains(prefixes, p) {
					prefixes = append(prefixes, p)
				}
			}
		}
	}
	slices.Sort(prefixes)
	return prefixes, all
}
