package phrase

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 dead letters", 1: "1 dead letter", 2: "2 dead letters", 1000: "1000 dead letters"} {
		if got := Count(n, "dead letter", "dead letters"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
