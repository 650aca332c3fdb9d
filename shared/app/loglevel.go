package app

import (
	"log/slog"
	"strings"
)

// lambdaLogLevel is the level Lambda's advanced logging controls ask for:
// Lambda sets AWS_LAMBDA_LOG_LEVEL from the function's application log
// level (the stack's logLevel setting). Lambda drops lines below it anyway;
// filtering here as well saves encoding them. Lambda's TRACE and FATAL
// have no slog level and map to the nearest one; anything else, or
// nothing, is INFO, Lambda's own default.
func lambdaLogLevel(getenv func(string) string) slog.Level {
	switch strings.ToUpper(strings.TrimSpace(getenv("AWS_LAMBDA_LOG_LEVEL"))) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}
