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
	fmt.Fprintf(tw, "%s: %d events, %d deliveries, %d POSTs, peak live heap %.1f MiB\n",
		title, m.Events, m.Deliveries, m.Posts, float64(m.PeakHeapBytes)/(1<<20))
	fmt.Fprintln(tw, "  item\tper delivery\tunit\t$/M deliveries\t")
	for _, l := range append(e.Lines, e.EventBridge) {
		if l == e.EventBridge {
			fmt.Fprintf(tw, "  %s\t\t\t$%.3f\t\n", "total (excluding ingest below)", e.Total)
		}
		fmt.Fprintf(tw, "  %s%s\t%.3f\t%s\t$%.3f\t\n", l.Item, modelled(l), l.Quantity, l.Unit, l.Dollars)
	}
	return tw.Flush()
}

func modelled(l Line) string {
	if l.Modelled {
		return " [modelled]"
	}
	return ""
}
