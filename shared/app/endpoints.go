package app

import (
	"context"
	"strings"
)

// envEndpoints gives the SDK's service clients the endpoint variables
// config.LoadDefaultConfig would have read (AWS_ENDPOINT_URL_<SERVICE>,
// e.g. AWS_ENDPOINT_URL_DYNAMODB), which LambdaEnv does not call. The
// service clients ask every value of aws.Config.ConfigSources for it; the
// general AWS_ENDPOINT_URL is aws.Config.BaseEndpoint. Unset, the clients
// resolve AWS's regional endpoints as before.
type envEndpoints func(string) string

// GetServiceBaseEndpoint is the SDK's lookup by service id ("DynamoDB",
// "Secrets Manager"): upper case, spaces and hyphens as underscores.
func (e envEndpoints) GetServiceBaseEndpoint(_ context.Context, sdkID string) (string, bool, error) {
	name := "AWS_ENDPOINT_URL_" + strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToUpper(sdkID))
	v := e(name)
	return v, v != "", nil
}
