package idp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Latency is an injected delay distribution.
//
//	20ms             constant
//	20ms±5ms         uniform in [15ms, 25ms] (also written 20ms+-5ms)
//	p50=20ms,p99=80ms lognormal with that median and 99th percentile
type Latency struct {
	// Base is the constant delay, or the median of a lognormal one.
	Base time.Duration
	// Jitter spreads a constant delay uniformly over [Base-Jitter, Base+Jitter].
	Jitter time.Duration
	// P99, when set, makes the delay lognormal with median Base and this 99th
	// percentile.
	P99 time.Duration
}

// z99 is the standard normal's 99th percentile.
const z99 = 2.326347874

// ParseLatency reads a latency distribution (see [Latency]).
func ParseLatency(s string) (Latency, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "p50=") {
		p50s, p99s, ok := strings.Cut(strings.TrimPrefix(s, "p50="), ",p99=")
		if !ok {
			return Latency{}, fmt.Errorf("latency %q: want p50=D,p99=D", s)
		}
		p50, err1 := time.ParseDuration(p50s)
		p99, err2 := time.ParseDuration(p99s)
		if err := errors.Join(err1, err2); err != nil {
			return Latency{}, fmt.Errorf("latency %q: %v", s, err)
		}
		if p50 <= 0 || p99 < p50 {
			return Latency{}, fmt.Errorf("latency %q: want 0 < p50 <= p99", s)
		}
		return Latency{Base: p50, P99: p99}, nil
	}
	base, jitter, found := strings.Cut(s, "±")
	if !found {
		base, jitter, found = strings.Cut(s, "+-")
	}
	b, err := time.ParseDuration(base)
	if err != nil || b < 0 {
		return Latency{}, fmt.Errorf("latency %q: want D, D±J or p50=D,p99=D with durations like 20ms", s)
	}
	l := Latency{Base: b}
	if found {
		j, err := time.ParseDuration(jitter)
		if err != nil || j < 0 || j > b {
			return Latency{}, fmt.Errorf("latency %q: the jitter must be a duration between 0 and the base", s)
		}
		l.Jitter = j
	}
	return l, nil
}

// sample draws a delay from two uniform numbers in [0, 1).
func (l Latency) sample(u1, u2 float64) time.Duration {
	switch {
	case l.P99 > 0:
		sigma := math.Log(float64(l.P99)/float64(l.Base)) / z99
		z := math.Sqrt(-2*math.Log(1-u1)) * math.Cos(2*math.Pi*u2) // Box–Muller
		return time.Duration(float64(l.Base) * math.Exp(sigma*z))
	case l.Jitter > 0:
		return l.Base - l.Jitter + time.Duration(u1*float64(2*l.Jitter))
	}
	return l.Base
}

// delay returns the latency to inject before answering a call of op.
func (s *Service) delay(op, cat string) time.Duration {
	m := s.opts.Limits.Latency
	if len(m) == 0 {
		return 0
	}
	l, ok := m[op]
	if !ok {
		l, ok = m[cat]
	}
	if !ok {
		l, ok = m["*"]
	}
	if !ok {
		return 0
	}
	if l.Jitter == 0 && l.P99 == 0 {
		return l.Base
	}
	b := s.randBytes(16)
	u := func(x []byte) float64 { return float64(binary.BigEndian.Uint64(x)>>11) / (1 << 53) }
	return l.sample(u(b[:8]), u(b[8:]))
}

// SetQuota adds a quota from "Category=RPS" (as the --quota flag gives it), or all
// of Cognito's defaults from "defaults".
func (l *Limits) SetQuota(spec string) error {
	if l.Quotas == nil {
		l.Quotas = map[string]float64{}
	}
	if strings.TrimSpace(spec) == "defaults" {
		for c, v := range defaultQuotas {
			l.Quotas[c] = v
		}
		return nil
	}
	c, v, ok := strings.Cut(spec, "=")
	if !ok {
		return fmt.Errorf("quota %q: want Category=RPS (e.g. UserAuthentication=120) or defaults", spec)
	}
	c = strings.TrimSpace(c)
	if !knownCategory(c) {
		return errUnknownCategory(c)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return fmt.Errorf("quota %q: want a non-negative number of requests per second", spec)
	}
	l.Quotas[c] = n
	return nil
}

// SetLatency adds a latency from "Operation=dist", "Category=dist" or "*=dist" (or
// a bare "dist", meaning every operation), as the --latency flag gives it.
func (l *Limits) SetLatency(spec string) error {
	key, dist, ok := strings.Cut(spec, "=")
	if !ok || strings.HasPrefix(spec, "p50=") {
		key, dist = "*", spec
	}
	key = strings.TrimSpace(key)
	if _, isOp := opCategories[key]; !isOp && key != "*" && !knownCategory(key) {
		return fmt.Errorf("latency %q: %q is neither an operation, a category nor *", spec, key)
	}
	d, err := ParseLatency(dist)
	if err != nil {
		return err
	}
	if l.Latency == nil {
		l.Latency = map[string]Latency{}
	}
	l.Latency[key] = d
	return nil
}

func errUnknownCategory(c string) error {
	names := make([]string, 0, len(defaultQuotas)+1)
	for n := range defaultQuotas {
		names = append(names, n)
	}
	names = append(names, catRTACAllowance)
	sort.Strings(names)
	return fmt.Errorf("unknown quota category %q; want one of %s", c, strings.Join(names, ", "))
}

func errNegative(what string) error { return fmt.Errorf("quota %s must not be negative", what) }
