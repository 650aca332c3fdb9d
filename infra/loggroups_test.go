package main

import "testing"

// The runbook sends an operator to the functions' logs (DeliverErrors,
// FanoutErrors, Api5xx, the backlogs): the stack names each log group in
// an output, as their names are generated.
func TestLogGroupOutputs(t *testing.T) {
	s := defaultStack(t)
	for output, group := range map[string]string{
		"ApiLogGroup":       "ApiLogs",
		"FanoutLogGroup":    "FanoutLogs",
		"DeliverLogGroup":   "DeliverLogs",
		"ApiAccessLogGroup": "ApiAccessLogs",
	} {
		s.template.HasOutput(str(output), obj(map[string]interface{}{"Value": ref(s.id(t, group))}))
	}
}
