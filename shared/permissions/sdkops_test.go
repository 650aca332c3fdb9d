package permissions

import (
	"go/ast"
	"go/types"
	"strings"
)

// iamService is the IAM action prefix of each SDK service package.
var iamService = map[string]string{
	"dynamodb": "dynamodb", "sqs": "sqs", "secretsmanager": "secretsmanager", "eventbridge": "events", "kms": "kms",
}

// iamAction maps an SDK operation to the IAM action that authorizes it:
// SQS's batch calls are authorized by their single-message actions.
func iamAction(service, op string) string {
	if service == "sqs" {
		op = strings.TrimSuffix(op, "Batch")
	}
	return iamService[service] + ":" + op
}

// impliedByField: input fields that need a second action when set
// (CreateSecret with Tags also needs TagResource).
var impliedByField = map[string]string{
	"secretsmanager.CreateSecretInput.Tags": "secretsmanager:TagResource",
}

// sdkInput returns the IAM action of an SDK operation input type:
// sqs.SendMessageInput means calling SendMessage.
func sdkInput(t types.Type) []string {
	service, op, ok := sdkOperation(t)
	if !ok {
		return nil
	}
	return []string{iamAction(service, op)}
}

func sdkOperation(t types.Type) (service, op string, ok bool) {
	named, isNamed := t.(*types.Named)
	if !isNamed || named.Obj().Pkg() == nil {
		return "", "", false
	}
	service, inSDK := strings.CutPrefix(named.Obj().Pkg().Path(), sdkPrefix)
	op, isInput := strings.CutSuffix(named.Obj().Name(), "Input")
	return service, op, inSDK && isInput && !strings.Contains(service, "/")
}

// impliedActions are the second actions some input fields need when a
// literal sets them (CreateSecret with Tags also needs TagResource).
func impliedActions(t types.Type, lit *ast.CompositeLit) []string {
	service, op, ok := sdkOperation(t)
	if !ok {
		return nil
	}
	var out []string
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok {
				if a, ok := impliedByField[service+"."+op+"Input."+id.Name]; ok {
					out = append(out, a)
				}
			}
		}
	}
	return out
}
