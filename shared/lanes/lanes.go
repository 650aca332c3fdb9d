// Package lanes spreads deliveries over several delivery queues by
// organization. Each lane has its own consumers, so a tenant whose
// endpoints hang can hold only its own lane's deliver invocations: the
// tenants on the other lanes never wait behind it, even before the endpoint
// gate has seen enough timeouts to defer its deliveries. Within a lane,
// fair queues (MessageGroupId = organization) keep the tenants that share
// it from queueing behind each other's backlog.
package lanes

import (
	"hash/fnv"
	"strings"
)

// Count is the number of delivery lanes a stack has, deployed and local. It
// is fixed rather than a setting: lowering it would delete queues that may
// still hold deliveries, and a stack cannot know at synth time whether they
// are empty.
const Count = 4

// Lanes are the delivery queues' URLs; lane i is Lanes[i]. An organization's
// deliveries always go to the same lane while the list is unchanged.
type Lanes []string

// Parse reads a comma-separated list of queue URLs (one URL is one lane).
func Parse(s string) Lanes {
	var l Lanes
	for _, u := range strings.Split(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			l = append(l, u)
		}
	}
	return l
}

// String is the comma-separated list Parse reads.
func (l Lanes) String() string { return strings.Join(l, ",") }

// For is the queue URL of org's lane ("" when there are no lanes).
func (l Lanes) For(org string) string {
	if len(l) == 0 {
		return ""
	}
	return l[l.index(org)]
}

// index is the number of org's lane; there must be at least one.
func (l Lanes) index(org string) int {
	h := fnv.New32a()
	h.Write([]byte(org))
	return int(h.Sum32() % uint32(len(l)))
}

// Source is the URL of the lane a received message came from, given the
// record's event source: a queue ARN on AWS, the queue URL locally. Both end
// in the queue's name. With one lane it is that lane whatever the source.
func (l Lanes) Source(eventSource string) (string, bool) {
	if len(l) == 1 {
		return l[0], true
	}
	name := lastSegment(eventSource, "/:")
	for _, u := range l {
		if name != "" && lastSegment(u, "/") == name {
			return u, true
		}
	}
	return "", false
}

func lastSegment(s, separators string) string {
	return s[strings.LastIndexAny(s, separators)+1:]
}
