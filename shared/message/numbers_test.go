package message

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

// Every value a float64, int64 or uint64 holds, as encoders write it, is
// within the number bounds, and so are the bounds themselves; one
// character or one exponent digit more is refused wherever the literal is.
func TestCheckDataBoundsNumberLiterals(t *testing.T) {
	long := "1" + strings.Repeat("0", MaxNumberLen-1) // 64 characters
	accepted := []string{
		"0", "-0", "0.5", "-1.5E+2", "1e0", "1e-0",
		"1.7976931348623157e308", "-1.7976931348623157e+308", "5e-324", "4.9406564584124654e-324",
		"2.2250738585072014e-308", "-2.2250738585072014E-308",
		"-9223372036854775808", "9223372036854775807", "18446744073709551615",
		"1e400", "-1E+400", "1e-400", "9.999e-400", "1e0000400", "1E-0000000000000000000000000000000000000000000000000000000000400",
		long, "-" + long[1:], "0." + strings.Repeat("1", MaxNumberLen-2), long[:60] + "e400",
		// 64-character writings of float64 values at its ends.
		"1" + strings.Repeat("0", 58) + "e-380", "-0." + strings.Repeat("0", 55) + "17e364",
		// Number characters inside strings are text, and the e of true
		// and false starts no exponent.
		`"1e99999999` + strings.Repeat("9", 200) + `"`, `{"` + strings.Repeat("7", 200) + `":true}`, `[true,false,null,1e400]`,
		// Bounds are per literal, not per run of them.
		"[" + strings.Repeat(long+",", 100) + long + "]", "[" + strings.Repeat("1e400 , ", 100) + "1e400]",
	}
	for _, f := range []float64{math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 0x1p-1022, 1e20, 1e21, 1.0000000000000002, 1e-7, 123456.789e-10} {
		out, err := json.Marshal(f) // encoding/json writes 'f' form below 1e21
		if err != nil {
			t.Fatal(err)
		}
		accepted = append(accepted, string(out), strconv.FormatFloat(f, 'e', -1, 64), strconv.FormatFloat(f, 'g', 17, 64))
	}
	for _, n := range []string{strconv.FormatInt(math.MinInt64, 10), strconv.FormatUint(math.MaxUint64, 10)} {
		accepted = append(accepted, n, `{"a":[`+n+`]}`)
	}
	for _, data := range accepted {
		if err := CheckData([]byte(data)); err != nil {
			t.Errorf("%.80s: %v", data, err)
		}
	}

	refused := []string{
		long + "1", "-" + long, "0." + strings.Repeat("1", MaxNumberLen-1), long[:60] + "e401",
		"1e401", "-1E+401", "1e-401", "1.5e-00000401", "1e999", "1e" + strings.Repeat("9", 61), "1e" + strings.Repeat("0", 61) + "401",
		"1e999999", "1" + strings.Repeat("7", 200000) + "e800000", "550." + strings.Repeat("0", 200000),
		`{"a":[1,{"b":1e401}]}`, `["1e401",1e401]`, `{"` + long + `":` + long + `0}`,
	}
	for _, data := range refused {
		err := CheckData([]byte(data))
		if !errors.Is(err, ErrNumber) {
			t.Errorf("%.80s: %v, want ErrNumber", data, err)
			continue
		}
		// The message names both limits and never echoes the literal.
		if msg := err.Error(); !strings.Contains(msg, "64 characters") || !strings.Contains(msg, "±400") || len(msg) > 200 || !SQSText(msg) {
			t.Errorf("%.80s: message %q", data, msg)
		}
	}
}

// Data may hold MaxNumbers number literals, wherever they are; one more is
// refused whatever their size. Digits in strings and keys are text.
func TestCheckDataBoundsTheCountOfNumbers(t *testing.T) {
	list := func(lit string, n int) string { return strings.Repeat(lit+",", n-1) + lit }
	accepted := []string{
		"[" + list("1", MaxNumbers) + "]",
		`{"a":[` + list("0", MaxNumbers/2) + `],"b":{"c":[` + list("-1.5e3", MaxNumbers/2) + `]}}`,
		"[ " + list(" 1 ", MaxNumbers) + " ]",
		"[" + list(`"1"`, MaxNumbers+1) + "," + list("1", MaxNumbers) + "]",
		"[" + list(`{"12":true,"3":null}`, MaxNumbers) + "]",
	}
	for _, data := range accepted {
		if err := CheckData([]byte(data)); err != nil {
			t.Errorf("%.60s…: %v", data, err)
		}
	}
	refused := []string{
		"[" + list("1", MaxNumbers+1) + "]",
		`{"a":[` + list("0", MaxNumbers/2) + `],"b":{"c":[` + list("-1.5e3", MaxNumbers/2+1) + `]}}`,
		"[" + list(`{"n":7}`, MaxNumbers+1) + "]",
		"[" + list("1", 100_000) + "]",
	}
	for _, data := range refused {
		err := CheckData([]byte(data))
		if !errors.Is(err, ErrTooManyNumbers) {
			t.Errorf("%.60s…: %v, want ErrTooManyNumbers", data, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "too many numbers") || !strings.Contains(msg, "the limit is 10000") ||
			len(msg) > 200 || !SQSText(msg) {
			t.Errorf("%.60s…: message %q", data, msg)
		}
	}
}
