package message

import "errors"

// Number literal bounds. The schema validator reads every number it checks
// against integer, minimum, maximum (and the like) as an exact fraction
// (big.Rat): 1e999999 costs it a million-digit power of ten, a
// 200,000-digit mantissa a 200,000-digit integer, each taking from a tenth
// of a second to seconds. Within these bounds a number costs it a few times
// what a small one does. Every float64 (at most 24 characters written
// shortest, 25 in encoding/json's and JavaScript's plain form below 1e21),
// int64 and uint64 (at most 20) fits, as does a decimal of up to 62 digits.
// A literal of at most 64 characters holds at most 62 digits, so one whose
// value is a nonzero float64 (4.9e-324 to 1.8e308 in magnitude), however
// written, has an exponent between -324-62 and 308+62: ±400 takes each,
// and costs the validator under half of what ±999 would.
const (
	// MaxNumberLen bounds a number literal's length in bytes (sign,
	// digits, point and exponent included).
	MaxNumberLen = 64
	// MaxNumberExponent bounds the exponent after e or E, either sign.
	MaxNumberExponent = 400
	// MaxNumbers bounds how many number literals data holds. The
	// validator's exact fraction costs it some 20 allocations a number
	// however short: without this bound 253 KiB of "1," is some 129,000
	// of them, a second's work on a busy two-core machine.
	MaxNumbers = 10_000
)

// ErrNumber reports a number literal beyond the bounds. The message names
// them, not the literal, which may be 250 KB long.
var ErrNumber = errors.New("event data holds a number over 64 characters long or with an exponent beyond ±400: send such a value as a string")

// ErrTooManyNumbers reports data holding more than MaxNumbers number
// literals.
var ErrTooManyNumbers = errors.New("event data holds too many numbers")

// numberByte steps the scan of a number literal over c, a byte outside
// strings: n is the literal's length so far (0 outside one), e its
// exponent's magnitude so far, held at MaxNumberExponent+1 once over (-1
// before its e or E). Valid JSON holds '-' and digits outside strings only
// in numbers, and '+', '.', 'e' and 'E' only after a number's first byte
// (the e of true and false comes after a letter, which ends any literal).
func numberByte(c byte, n, e int) (int, int) {
	switch {
	case c >= '0' && c <= '9':
		if e >= 0 {
			e = min(e*10+int(c-'0'), MaxNumberExponent+1)
		}
	case c == '-', n > 0 && (c == '+' || c == '.'):
	case n > 0 && c|0x20 == 'e':
		e = 0
	default:
		return 0, -1
	}
	return n + 1, e
}
