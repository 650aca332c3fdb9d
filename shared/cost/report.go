package cost

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// Write prints one scenario's estimate: what was counted per delivery and
// what it costs per million deliveries.
func Write(w io.Writer, title string, m Measurement, e Estimate) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s: %d events of %d bytes of data, %d deliveries, %d POSTs, peak live heap %.1f MiB\n",
		title, m.Events, m.EventDataBytes, m.Deliveries, m.Posts, float64(m.PeakHeapBytes)/(1<<20))
	fmt.Fprintln(tw, "  item\tper delivery\tunit\t$/M deliveries\t")
	line := func(l Line) {
		fmt.Fprintf(tw, "  %s%s\t%.3f\t%s\t$%.3f\t\n", l.Item, modelled(l), l.Quantity, l.Unit, l.Dollars)
	}
	for _, l := range e.Lines {
		line(l)
	}
	fmt.Fprintf(tw, "  %s\t\t\t$%.3f\t\n", "TOTAL per delivery, ingest excluded", e.Total)
	fmt.Fprintln(tw, "  ingest, per event (shared by the event's N deliveries):\t\t\t\t")
	for _, l := range e.Ingest {
		line(l)
	}
	fmt.Fprintf(tw, "  %s\t\t\t$%.3f\t\n", "TOTAL with ingest", e.Total+e.IngestTotal())
	fmt.Fprintln(tw, "  not in the totals, per 100 ms of endpoint response time:\t\t\t\t")
	line(e.PerEndpoint100ms)
	return tw.Flush()
}

func modelled(l Line) string {
	if l.Modelled {
		return " [modelled]"
	}
	return ""
}
