package awskms

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// EnsureAlias returns the id of the key behind alias (for example
// "alias/hookrelay-dev"), creating a symmetric key and the alias if there
// is none. For `make dev` and the tests against local-kms; in AWS the CDK
// stack owns the key and the functions never call this.
func EnsureAlias(ctx context.Context, api *kms.Client, alias string) (string, error) {
	d, err := api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err == nil {
		return aws.ToString(d.KeyMetadata.KeyId), nil
	}
	var notFound *types.NotFoundException
	if !errors.As(err, &notFound) {
		return "", fmt.Errorf("kms: describe %s: %w", alias, err)
	}
	k, err := api.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("hookrelay local envelope key")})
	if err != nil {
		return "", fmt.Errorf("kms: create key: %w", err)
	}
	id := aws.ToString(k.KeyMetadata.KeyId)
	if _, err := api.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)}); err != nil {
		return "", fmt.Errorf("kms: create alias %s: %w", alias, err)
	}
	return id, nil
}
