package dynamo

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// attrClaim is when a claim on an item runs out (Unix ms): a recover's
// on a parked delivery (ParkedStore.Claim), a sender's on a dead letter
// (DeadLetterIndex.Claim).
const attrClaim = "claimed_until"

// claimFree is the condition that no claim on an item stands at now (none,
// or one that ran out), for a conditional write that takes the item or
// claims it. It adds the #claim and :now it uses to names and values.
func claimFree(now time.Time, names map[string]string, values map[string]types.AttributeValue) string {
	names["#claim"], values[":now"] = attrClaim, nAttr(now.UnixMilli())
	return "(attribute_not_exists(#claim) OR #claim <= :now)"
}
