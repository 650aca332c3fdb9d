package lanes

import (
	"sync"
	"time"
)

// Heavy is how many events an organization sends to a lane within the
// window before it can crowd the others off it: as many as a deployed lane
// has consumers by default (deliverMaxConcurrency 20 over Count lanes),
// enough to hold every one of them for the window if its endpoint hangs.
const Heavy = 5

// Chooser picks the lane of each event's deliveries in fan-out. An
// organization's deliveries go to its home lane (For), unless another
// organization has sent more to that lane within the window, and at least
// Heavy: then they go to a lane no other organization crowds, the one they
// already use if any, else the quietest. The lanes alone leave one tenant
// in Count sharing a hanging tenant's lane, whose consumers the hanging
// tenant holds for a whole delivery timeout before the endpoint gate can
// know; the chooser sends the lighter tenants around a lane one tenant
// dominates, and keeps that tenant on one lane. Any lane can carry any
// delivery (deliver acts on a message in the queue it came from), so the
// choice changes only who waits for whom.
//
// The counts are this process's (one Lambda instance's): each fan-out
// instance sees its share of every tenant's events, so a tenant sending
// the most overall is the one each instance ranks first.
type Chooser struct {
	lanes  Lanes
	window time.Duration

	mu        sync.Mutex
	start     time.Time        // of the current window
	cur, prev []map[string]int // per lane: organization → events
	total     []int            // per lane: events in cur and prev
	top       []string         // per lane: the organization with the most events
	topN      []int            // and how many
}

// NewChooser returns a chooser over l that weighs the events of the last
// one to two windows. A zero window counts nothing: every organization
// stays home.
func NewChooser(l Lanes, window time.Duration) *Chooser {
	c := &Chooser{lanes: l, window: window}
	c.cur, c.prev = c.empty(), c.empty()
	c.total, c.top, c.topN = make([]int, len(l)), make([]string, len(l)), make([]int, len(l))
	return c
}

func (c *Chooser) empty() []map[string]int {
	m := make([]map[string]int, len(c.lanes))
	for i := range m {
		m[i] = map[string]int{}
	}
	return m
}

// Pick returns the queue URL for one event of org at now, and counts it
// there ("" when there are no lanes).
func (c *Chooser) Pick(org string, now time.Time) string {
	if len(c.lanes) < 2 {
		return c.lanes.For(org)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rotate(now)
	lane := c.lanes.index(org)
	if c.crowded(lane, org) {
		lane = c.away(lane, org)
	}
	c.cur[lane][org]++
	c.total[lane]++
	if n := c.count(lane, org); n > c.topN[lane] {
		c.top[lane], c.topN[lane] = org, n
	}
	return c.lanes[lane]
}

// crowded: another organization has sent more than org to the lane, and
// at least Heavy.
func (c *Chooser) crowded(lane int, org string) bool {
	return c.top[lane] != org && c.topN[lane] >= Heavy && c.topN[lane] > c.count(lane, org)
}

// away is where org goes while its home lane is crowded: among the lanes
// no other organization crowds, the one org has sent the most within the
// window, so that a busy organization sent away stays on one lane instead
// of spreading over all of them; else the quietest (the lowest-numbered
// among equals); home when every lane is crowded.
func (c *Chooser) away(home int, org string) int {
	best := -1
	for i := range c.lanes {
		if c.crowded(i, org) {
			continue
		}
		if best < 0 || c.count(i, org) > c.count(best, org) ||
			c.count(i, org) == c.count(best, org) && c.total[i] < c.total[best] {
			best = i
		}
	}
	if best < 0 {
		return home
	}
	return best
}

func (c *Chooser) count(lane int, org string) int { return c.cur[lane][org] + c.prev[lane][org] }

// rotate starts a new window when the current one is over, forgetting the
// one before it.
func (c *Chooser) rotate(now time.Time) {
	if now.Sub(c.start) < c.window {
		return
	}
	if now.Sub(c.start) < 2*c.window {
		c.prev = c.cur
	} else {
		c.prev = c.empty()
	}
	c.cur = c.empty()
	c.start = now
	for i := range c.lanes {
		c.total[i], c.top[i], c.topN[i] = 0, "", 0
		for org, n := range c.prev[i] {
			c.total[i] += n
			if n > c.topN[i] {
				c.top[i], c.topN[i] = org, n
			}
		}
	}
}
