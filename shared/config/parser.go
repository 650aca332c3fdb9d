package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parser keeps the first error so Load reads as a flat list of fields.
type parser struct {
	lookup func(string) (string, bool)
	err    error
}

func (p *parser) get(name string) (string, bool) {
	v, ok := p.lookup(name)
	if !ok || strings.TrimSpace(v) == "" || p.err != nil {
		return "", false
	}
	return strings.TrimSpace(v), true
}

func (p *parser) fail(name, v string, err error) {
	p.err = fmt.Errorf("%s=%q: %w", name, v, err)
}

func (p *parser) str(name string, dst *string) {
	if v, ok := p.get(name); ok {
		*dst = v
	}
}

// list reads a comma-separated value.
func (p *parser) list(name string, dst *[]string) {
	if v, ok := p.get(name); ok {
		*dst = SplitList(v)
	}
}

func (p *parser) duration(name string, dst *time.Duration) {
	read(p, name, dst, positive(time.ParseDuration))
}

// durationOrZero is duration where 0 is a value (a knob's "off").
func (p *parser) durationOrZero(name string, dst *time.Duration) {
	read(p, name, dst, positiveOrZero(time.ParseDuration))
}

func (p *parser) durations(name string, dst *[]time.Duration) {
	read(p, name, dst, ParseSchedule)
}

func (p *parser) integer(name string, dst *int) {
	read(p, name, dst, positive(strconv.Atoi))
}

// integerOrZero is integer where 0 is a value (a knob's "off").
func (p *parser) integerOrZero(name string, dst *int) {
	read(p, name, dst, positiveOrZero(strconv.Atoi))
}

func (p *parser) boolean(name string, dst *bool) {
	read(p, name, dst, strconv.ParseBool)
}

// read sets *dst to name's value as parse reads it; a value parse
// refuses is kept as the error (a method cannot take a type parameter).
func read[T any](p *parser, name string, dst *T, parse func(string) (T, error)) {
	v, ok := p.get(name)
	if !ok {
		return
	}
	x, err := parse(v)
	if err != nil {
		p.fail(name, v, err)
		return
	}
	*dst = x
}

// positive refuses what parse reads as 0 or less.
func positive[T int | time.Duration](parse func(string) (T, error)) func(string) (T, error) {
	return func(v string) (T, error) {
		x, err := parse(v)
		if err == nil && x <= 0 {
			err = fmt.Errorf("must be positive")
		}
		return x, err
	}
}

// positiveOrZero refuses what parse reads as less than 0.
func positiveOrZero[T int | time.Duration](parse func(string) (T, error)) func(string) (T, error) {
	return func(v string) (T, error) {
		x, err := parse(v)
		if err == nil && x < 0 {
			err = fmt.Errorf("must be 0 (off) or positive")
		}
		return x, err
	}
}
