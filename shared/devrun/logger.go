package devrun

import (
	"io"
	"log/slog"
)

// NewLogger is dev's human-readable logger: slog text lines with a short
// wall-clock time, since a developer reads them live next to `hookrelay
// listen` output (the Lambdas log JSON for CloudWatch instead).
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime {
				return slog.String(slog.TimeKey, a.Value.Time().Format("15:04:05.000"))
			}
			return a
		},
	}))
}
