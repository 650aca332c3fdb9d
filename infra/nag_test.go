package main

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// TestNagAwsSolutions requires zero unsuppressed AwsSolutions errors and
// warnings: every accepted finding is suppressed in nag.go with a reason.
func TestNagAwsSolutions(t *testing.T) {
	s := defaultStack(t)
	ann := assertions.Annotations_FromStack(s.stack)
	nag := assertions.Match_StringLikeRegexp(str("AwsSolutions-.*"))
	for _, m := range *ann.FindError(str("*"), nag) {
		t.Errorf("unsuppressed nag error at %s: %v", *m.Id, fmt.Sprint(m.Entry.Data))
	}
	for _, m := range *ann.FindWarning(str("*"), nag) {
		t.Errorf("unsuppressed nag warning at %s: %v", *m.Id, fmt.Sprint(m.Entry.Data))
	}
}
