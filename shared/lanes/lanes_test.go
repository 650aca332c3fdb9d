package lanes

import (
	"fmt"
	"testing"
)

func TestParseAndString(t *testing.T) {
	l := Parse(" http://q/a , http://q/b,,")
	if len(l) != 2 || l[0] != "http://q/a" || l[1] != "http://q/b" {
		t.Fatalf("Parse = %q", l)
	}
	if got := Parse(l.String()); fmt.Sprint(got) != fmt.Sprint(l) {
		t.Errorf("Parse(String()) = %q, want %q", got, l)
	}
	if len(Parse("")) != 0 {
		t.Errorf("Parse(\"\") has lanes")
	}
}

// TestForIsStableAndSpreads: an organization always maps to the same lane,
// and many organizations use every lane.
func TestForIsStableAndSpreads(t *testing.T) {
	l := Lanes{"u0", "u1", "u2", "u3"}
	used := map[string]int{}
	for i := range 400 {
		org := fmt.Sprintf("org-%d", i)
		lane := l.For(org)
		if l.For(org) != lane {
			t.Fatalf("%s maps to two lanes", org)
		}
		used[lane]++
	}
	for _, u := range l {
		if used[u] < 50 {
			t.Errorf("lane %s got %d of 400 organizations: %v", u, used[u], used)
		}
	}
	if (Lanes{}).For("org") != "" {
		t.Error("no lanes, yet a lane")
	}
}

func TestSourceMatchesTheQueueName(t *testing.T) {
	l := Lanes{"https://sqs.eu-west-1.amazonaws.com/123/stack-DeliveryQueue-A", "https://sqs.eu-west-1.amazonaws.com/123/stack-DeliveryQueue-AB"}
	for source, want := range map[string]string{
		"arn:aws:sqs:eu-west-1:123:stack-DeliveryQueue-AB": l[1],
		"arn:aws:sqs:eu-west-1:123:stack-DeliveryQueue-A":  l[0],
		l[1]: l[1], // the local poller gives the URL
	} {
		if got, ok := l.Source(source); !ok || got != want {
			t.Errorf("Source(%s) = %q %v, want %q", source, got, ok, want)
		}
	}
	for _, source := range []string{"arn:aws:sqs:eu-west-1:123:other", ""} {
		if got, ok := l.Source(source); ok {
			t.Errorf("Source(%q) = %q, want none", source, got)
		}
	}
	if got, ok := l[:1].Source("anything"); !ok || got != l[0] {
		t.Errorf("one lane: Source = %q %v", got, ok)
	}
}
