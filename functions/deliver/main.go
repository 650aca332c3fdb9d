// The deliver Lambda: signs and POSTs each delivery of an SQS batch and
// applies the outcome rules (retry by visibility timeout, DLQ, 410 removal).
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/hookrelay/hookrelay/shared/app"
	"github.com/hookrelay/hookrelay/shared/app/deliverapp"
	"github.com/hookrelay/hookrelay/shared/app/lambdaadapters"
)

func main() {
	a := lambdaadapters.Load(deliverapp.RequiredEnv...)
	handler, err := deliverapp.New(a)
	if err != nil {
		app.Fatal(a.Logger, err)
	}
	lambda.Start(handler)
}
