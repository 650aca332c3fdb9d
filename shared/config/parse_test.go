package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// lookupOf is an environment holding only env.
func lookupOf(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// Each kind of setting: what it takes, and what it refuses with which
// error (the message names the variable and the value as given).
func TestSettingKinds(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		got         func(Config) any
		want        any    // the value read, when accepted
		refusal     string // the error's end, when refused
	}{
		{EnvMaxWebhooks, "7", func(c Config) any { return c.MaxWebhooks }, 7, ""},
		{EnvMaxWebhooks, "0", nil, nil, "must be positive"},
		{EnvMaxWebhooks, "-3", nil, nil, "must be positive"},
		{EnvMaxWebhooks, "x", nil, nil, `strconv.Atoi: parsing "x": invalid syntax`},
		{EnvOrgRateLimit, "0", func(c Config) any { return c.OrgRateLimit }, 0, ""},
		{EnvOrgRateLimit, "-1", nil, nil, "must be 0 (off) or positive"},
		{EnvAttemptTTL, "36h", func(c Config) any { return c.AttemptTTL }, 36 * time.Hour, ""},
		{EnvAttemptTTL, "0s", nil, nil, "must be positive"},
		{EnvAttemptTTL, "soon", nil, nil, `time: invalid duration "soon"`},
		{EnvDisableAfter, "0", func(c Config) any { return c.DisableAfter }, time.Duration(0), ""},
		{EnvDisableAfter, "-1h", nil, nil, "must be 0 (off) or positive"},
		{EnvAllowLoopback, "true", func(c Config) any { return c.AllowLoopback }, true, ""},
		{EnvAllowLoopback, "maybe", nil, nil, `strconv.ParseBool: parsing "maybe": invalid syntax`},
		{EnvRetrySchedule, " 1s,2s ", func(c Config) any { return fmt.Sprint(c.RetrySchedule) }, "[1s 2s]", ""},
	} {
		c, err := FromLookup(lookupOf(map[string]string{tc.name: tc.value}))
		if tc.refusal != "" {
			want := fmt.Sprintf("%s=%q: %s", tc.name, strings.TrimSpace(tc.value), tc.refusal)
			if err == nil || err.Error() != want {
				t.Errorf("%s=%q: error %v, want %s", tc.name, tc.value, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s=%q: %v", tc.name, tc.value, err)
			continue
		}
		if got := tc.got(c); got != tc.want {
			t.Errorf("%s=%q: read %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
}
