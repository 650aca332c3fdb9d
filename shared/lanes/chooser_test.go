package lanes

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var four = Lanes{"u0", "u1", "u2", "u3"}

// sharingHome returns n organizations whose home lane is the same.
func sharingHome(t *testing.T, l Lanes, n int) []string {
	t.Helper()
	byLane := map[string][]string{}
	for i := 0; ; i++ {
		org := fmt.Sprintf("org-%d", i)
		home := l.For(org)
		if byLane[home] = append(byLane[home], org); len(byLane[home]) == n {
			return byLane[home]
		}
	}
}

func pickN(c *Chooser, org string, n int, at time.Time) (lanes map[string]int) {
	lanes = map[string]int{}
	for range n {
		lanes[c.Pick(org, at)]++
	}
	return lanes
}

func TestEveryOrganizationStaysHomeWhileNoneCrowdsALane(t *testing.T) {
	c := NewChooser(four, time.Second)
	at := time.Unix(1000, 0)
	orgs := sharingHome(t, four, 3)
	for _, org := range orgs {
		// Heavy-1 each: nobody has sent enough to crowd a lane.
		if got := pickN(c, org, Heavy-1, at); got[four.For(org)] != Heavy-1 {
			t.Fatalf("%s went to %v, want its home lane %s", org, got, four.For(org))
		}
	}
	// One more for the second: it leads the lane now, still at home.
	if got := pickN(c, orgs[1], 1, at); got[four.For(orgs[1])] != 1 {
		t.Fatalf("a tie moved %s to %v", orgs[1], got)
	}
}

func TestALighterOrganizationGoesAroundALaneAnotherCrowds(t *testing.T) {
	c := NewChooser(four, time.Second)
	at := time.Unix(1000, 0)
	orgs := sharingHome(t, four, 3)
	busy, light, other := orgs[0], orgs[1], orgs[2]
	home := four.For(busy)
	pickN(c, busy, Heavy, at)
	moved := c.Pick(light, at)
	if moved == home {
		t.Fatalf("%s stayed on %s, which %s crowds with %d events", light, home, busy, Heavy)
	}
	// The busy organization keeps its lane: it holds only that one.
	if got := pickN(c, busy, 50, at); got[home] != 50 {
		t.Fatalf("the crowding organization went to %v, want its home %s", got, home)
	}
	// The next light one avoids the first one's new lane too: it is the
	// quietest lane no one crowds, and it now has an event.
	if second := c.Pick(other, at); second == home || second == moved {
		t.Fatalf("%s went to %s (crowded %s, busy %s)", other, second, home, moved)
	}
}

// An organization sent away that gets busy itself stays on one lane: it
// must not spread a hanging endpoint over every lane.
func TestAnOrganizationSentAwayStaysOnOneLane(t *testing.T) {
	c := NewChooser(four, time.Second)
	at := time.Unix(1000, 0)
	orgs := sharingHome(t, four, 2)
	pickN(c, orgs[0], 100, at)
	if got := pickN(c, orgs[1], 100, at); len(got) != 1 || got[four.For(orgs[1])] != 0 {
		t.Fatalf("the organization sent away used %v, want one lane other than its home", got)
	}
}

func TestAnOrganizationGoesHomeOnceTheCrowdIsTwoWindowsOld(t *testing.T) {
	c := NewChooser(four, time.Second)
	at := time.Unix(1000, 0)
	orgs := sharingHome(t, four, 2)
	home := four.For(orgs[0])
	pickN(c, orgs[0], Heavy, at)
	if c.Pick(orgs[1], at.Add(1500*time.Millisecond)) == home {
		t.Fatal("the previous window's crowd was forgotten after one window")
	}
	if got := c.Pick(orgs[1], at.Add(3500*time.Millisecond)); got != home {
		t.Fatalf("went to %s two windows after the crowd, want home %s", got, home)
	}
}

func TestEveryLaneCrowdedKeepsHome(t *testing.T) {
	c := NewChooser(four, time.Second)
	at := time.Unix(1000, 0)
	for i := range four {
		// One busy organization per lane.
		for j := 0; ; j++ {
			org := fmt.Sprintf("busy-%d", j)
			if four.For(org) == four[i] {
				pickN(c, org, Heavy, at)
				break
			}
		}
	}
	org := sharingHome(t, four, 1)[0]
	if got := c.Pick(org, at); got != four.For(org) {
		t.Fatalf("went to %s with every lane crowded, want home %s", got, four.For(org))
	}
}

func TestAZeroWindowKeepsEveryoneHome(t *testing.T) {
	c := NewChooser(four, 0)
	at := time.Unix(1000, 0)
	orgs := sharingHome(t, four, 2)
	pickN(c, orgs[0], 100, at)
	if got := c.Pick(orgs[1], at); got != four.For(orgs[1]) {
		t.Fatalf("went to %s with a zero window, want home %s", got, four.For(orgs[1]))
	}
}

func TestOneLaneIsEveryonesLane(t *testing.T) {
	c := NewChooser(Lanes{"only"}, time.Second)
	at := time.Unix(1000, 0)
	pickN(c, "busy", 100, at)
	if got := c.Pick("light", at); got != "only" {
		t.Fatalf("got %q", got)
	}
	if got := NewChooser(nil, time.Second).Pick("org", at); got != "" {
		t.Fatalf("no lanes, yet %q", got)
	}
}

// Sent away with no lane of its own yet, an organization takes the
// quietest lane no one crowds, the lowest-numbered among equals; the next
// one takes the next quietest (stated, never
// checked exactly). Over four lanes and two, whichever lane is crowded.
func TestAwayIsTheQuietestLaneLowestNumberedFirst(t *testing.T) {
	for _, l := range []Lanes{four, {"u0", "u1"}} {
		for home := range l {
			c := NewChooser(l, time.Second)
			at := time.Unix(1000, 0)
			orgs := homedAt(l, home, 3)
			busy, light, other := orgs[0], orgs[1], orgs[2]
			pickN(c, busy, Heavy, at)
			quiet := slices.Delete(slices.Clone(l), home, home+1) // lowest-numbered first
			if got := c.Pick(light, at); got != quiet[0] {
				t.Fatalf("%d lanes, %s crowded: %s went to %s, want %s, the lowest-numbered of %v", len(l), l[home], light, got, quiet[0], quiet)
			}
			// That lane has an event now: the next goes to the next
			// quietest (over two lanes, the only one left).
			want := quiet[min(1, len(quiet)-1)]
			if got := c.Pick(other, at); got != want {
				t.Fatalf("%d lanes, %s crowded: %s went to %s, want %s", len(l), l[home], other, got, want)
			}
		}
	}
}

// homedAt returns n organizations whose home is lane i of l.
func homedAt(l Lanes, i, n int) []string {
	var orgs []string
	for k := 0; len(orgs) < n; k++ {
		if org := fmt.Sprintf("org-%d", k); l.index(org) == i {
			orgs = append(orgs, org)
		}
	}
	return orgs
}
