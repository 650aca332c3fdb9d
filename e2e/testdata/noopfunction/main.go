// A Lambda whose handler does nothing, built as hookrelay's are:
// BenchmarkLambdaColdStart's floor, what process start, the Go runtime
// and aws-lambda-go's runtime client take on a machine before any of
// hookrelay's code runs.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, json.RawMessage) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	})
}
