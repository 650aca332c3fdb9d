package app

import (
	"log/slog"
	"testing"
)

// TestLambdaLogLevelFollowsTheFunctionsSetting: every value Lambda can put
// in AWS_LAMBDA_LOG_LEVEL maps to the slog level that keeps the same lines.
func TestLambdaLogLevelFollowsTheFunctionsSetting(t *testing.T) {
	for value, want := range map[string]slog.Level{
		"":      slog.LevelInfo,
		"TRACE": slog.LevelDebug,
		"DEBUG": slog.LevelDebug,
		"debug": slog.LevelDebug,
		"INFO":  slog.LevelInfo,
		"WARN":  slog.LevelWarn,
		"ERROR": slog.LevelError,
		"FATAL": slog.LevelError,
		"LOUD":  slog.LevelInfo,
	} {
		got := lambdaLogLevel(func(name string) string {
			if name == "AWS_LAMBDA_LOG_LEVEL" {
				return value
			}
			return ""
		})
		if got != want {
			t.Errorf("AWS_LAMBDA_LOG_LEVEL=%q: level %v, want %v", value, got, want)
		}
	}
}
