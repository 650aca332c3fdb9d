package devrun

import (
	"context"
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

// everyLine is l writing every line whatever its level. A deployed stack
// leaves the fan-out and delivery handlers' DEBUG lines (an event fanned
// out, an attempt delivered) out of CloudWatch for their cost; `make dev`
// shows them, since seeing each delivery is what it is run for.
func everyLine(l *slog.Logger) *slog.Logger { return slog.New(allLevels{l.Handler()}) }

type allLevels struct{ slog.Handler }

func (allLevels) Enabled(context.Context, slog.Level) bool { return true }

func (h allLevels) WithAttrs(attrs []slog.Attr) slog.Handler {
	return allLevels{h.Handler.WithAttrs(attrs)}
}

func (h allLevels) WithGroup(name string) slog.Handler { return allLevels{h.Handler.WithGroup(name)} }
