package queue

import (
	"testing"
	"time"
)

func TestPaceSpreadsWithinSQSsDelayLimit(t *testing.T) {
	for _, c := range []struct {
		pace Pace
		i    int
		want time.Duration
	}{
		{Pace{Rate: 10}, 0, 0},
		{Pace{Rate: 10}, 1, 100 * time.Millisecond},
		{Pace{Rate: 10}, 25, 2500 * time.Millisecond},
		{Pace{Rate: 10}, 9000, MaxDelay},   // the last one within the limit
		{Pace{Rate: 10}, 10_999, MaxDelay}, // the rest wait as long as SQS lets them
		{Pace{Rate: 2}, 3, 1500 * time.Millisecond},
		{Pace{}, 50, 0}, // no pace: no delay
	} {
		if got := c.pace.Delay(c.i); got != c.want {
			t.Errorf("%d/s, message %d: delay %s, want %s", c.pace.Rate, c.i, got, c.want)
		}
	}
}
