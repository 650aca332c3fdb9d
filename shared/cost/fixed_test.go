package cost

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The README shows make cost's fixed monthly costs; they must be what it
// prints (an infra test holds StackAlarms to the synthesized stack).
func TestReadmeShowsTheFixedCosts(t *testing.T) {
	var out bytes.Buffer
	if err := WriteFixed(&out); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The README's copy drops the padding tabwriter leaves at line ends.
	var want strings.Builder
	for _, line := range strings.SplitAfter(out.String(), "\n") {
		want.WriteString(strings.TrimRight(line, " \n"))
		if strings.HasSuffix(line, "\n") {
			want.WriteString("\n")
		}
	}
	if !strings.Contains(string(readme), want.String()) {
		t.Errorf("README's fixed monthly costs are not what make cost prints:\n%s", want.String())
	}
}
