package main

import (
	"testing"

	"github.com/hookrelay/hookrelay/shared/costrun"
)

// make cost prices Lambda duration at costrun's memory sizes; a function
// given more or less memory here must change what it prices.
func TestCostReportPricesTheFunctionsMemory(t *testing.T) {
	s := defaultStack(t)
	for path, priced := range map[string]int{
		"FanoutFunction":  costrun.FanoutMemoryMB,
		"DeliverFunction": costrun.DeliverMemoryMB,
	} {
		if got := num(s.props(t, s.id(t, path))["MemorySize"]); got != float64(priced) {
			t.Errorf("%s has %v MB, make cost prices it at %d MB (shared/costrun)", path, got, priced)
		}
	}
}
