package dynamo

import "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

// webhookUpdate collects an update's SET clauses with their names and
// values.
type webhookUpdate struct {
	sets   []string
	names  map[string]string
	values map[string]types.AttributeValue
}

// set adds "name = value" to the update.
func (u *webhookUpdate) set(nameRef, attr, valueRef string, v types.AttributeValue) {
	u.sets = append(u.sets, nameRef+" = "+valueRef)
	u.names[nameRef] = attr
	u.values[valueRef] = v
}
