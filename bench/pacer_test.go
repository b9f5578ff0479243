package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

// countBefore counts the iterations the pacer starts before t.
func countBefore(p *Pacer, t time.Duration) int64 {
	var n int64
	for {
		d, ok := p.Start(n)
		if !ok || d >= t {
			return n
		}
		n++
	}
}

func mustPacer(t *testing.T, s Schedule) *Pacer {
	t.Helper()
	p, err := NewPacer(s)
	if err != nil {
		t.Fatalf("NewPacer(%+v): %v", s, err)
	}
	return p
}

func TestPacerCounts(t *testing.T) {
	t.Parallel()
	ramp := []Stage{{30 * time.Second, 0, 200}, {5 * time.Minute, 200, 200}, {30 * time.Second, 200, 0}}
	cases := []struct {
		name    string
		s       Schedule
		before  time.Duration // count the starts before this offset
		want    int64
		planned int64
	}{
		// 200/s for 1s: exactly 200 starts at 0, 5ms, …, 995ms; none at 1s.
		{"constant 1s", Schedule{Rate: 200, Duration: time.Second}, time.Hour, 200, 200},
		// 200/s for 10s but only 50 iterations: the count bounds it.
		{"iterations bound", Schedule{Rate: 200, Duration: 10 * time.Second, Iterations: 50}, time.Hour, 50, 50},
		// An unbounded rate stopped by the count alone.
		{"iterations only", Schedule{Rate: 1000, Iterations: 7}, time.Hour, 7, 7},
		// 0→200/s over 30s: N(t) = 10/3·t², so N(1s) = 3.33 → starts at 0, .55, .77, .95 s.
		{"ramp first second", Schedule{Stages: ramp}, time.Second, 4, 66000},
		// The ramp up brings 3000 starts (the average rate 100/s for 30s).
		{"ramp total", Schedule{Stages: ramp}, 30 * time.Second, 3000, 66000},
		// Ramp + 5 min at 200/s = 3000 + 60000.
		{"ramp and plateau", Schedule{Stages: ramp}, 330 * time.Second, 63000, 66000},
		// Stages cut short by a duration: ramp only, and the plateau's first 1s.
		{"duration truncates stages", Schedule{Stages: ramp, Duration: 31 * time.Second}, time.Hour, 3200, 3200},
		// 90/m is 1.5/s: over 2s, starts at 0, .67, 1.33 → 3.
		{"per minute", Schedule{Rate: 1.5, Duration: 2 * time.Second}, time.Hour, 3, 3},
		// A pause stage between two constant stages plans nothing.
		{"pause", Schedule{Stages: []Stage{{time.Second, 10, 10}, {time.Second, 0, 0}, {time.Second, 10, 10}}}, 2 * time.Second, 10, 20},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := mustPacer(t, c.s)
			if got := countBefore(p, c.before); got != c.want {
				t.Errorf("starts before %v: got %d, want %d", c.before, got, c.want)
			}
			if got := p.Planned(); got != c.planned {
				t.Errorf("Planned: got %d, want %d", got, c.planned)
			}
		})
	}
}

func TestPacerStartTimes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		s    Schedule
		i    int64
		want time.Duration
		ok   bool
	}{
		// The first start is at the run's start.
		{"first", Schedule{Rate: 100, Duration: time.Second}, 0, 0, true},
		// 100/s: iteration 37 at 370ms.
		{"constant", Schedule{Rate: 100, Duration: time.Second}, 37, 370 * time.Millisecond, true},
		// The last start of 100/s for 1s is at 990ms; the next would be at 1s: not planned.
		{"last", Schedule{Rate: 100, Duration: time.Second}, 99, 990 * time.Millisecond, true},
		{"past end", Schedule{Rate: 100, Duration: time.Second}, 100, 0, false},
		// The second stage starts exactly at the boundary: 10/s for 1s then 20/s.
		{"boundary", Schedule{Stages: []Stage{{time.Second, 10, 10}, {time.Second, 20, 20}}}, 10, time.Second, true},
		{"after boundary", Schedule{Stages: []Stage{{time.Second, 10, 10}, {time.Second, 20, 20}}}, 11, time.Second + 50*time.Millisecond, true},
		// 0→200/s over 30s: N(t)=10/3·t², iteration 3 at √0.9 s.
		{"ramp", Schedule{Stages: []Stage{{30 * time.Second, 0, 200}}}, 3, time.Duration(math.Sqrt(0.9) * 1e9), true},
		// Ramp down 200→0/s over 30s plans 3000: the last (2999) is just before the end.
		{"ramp down last", Schedule{Stages: []Stage{{30 * time.Second, 200, 0}}}, 2999, time.Duration((30 - math.Sqrt(0.3)) * 1e9), true},
		{"ramp down past", Schedule{Stages: []Stage{{30 * time.Second, 200, 0}}}, 3000, 0, false},
		{"negative", Schedule{Rate: 1, Duration: time.Second}, -1, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, ok := mustPacer(t, c.s).Start(c.i)
			if ok != c.ok || (ok && absDur(got-c.want) > time.Microsecond) {
				t.Errorf("Start(%d): got %v, %v; want %v, %v", c.i, got, ok, c.want, c.ok)
			}
		})
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// TestPacerMonotonic checks that start times never go back, over a ramp profile.
func TestPacerMonotonic(t *testing.T) {
	t.Parallel()
	p := mustPacer(t, Schedule{Stages: []Stage{{3 * time.Second, 0, 500}, {time.Second, 500, 500}, {2 * time.Second, 500, 3}}})
	var prev time.Duration
	var i int64
	for ; ; i++ {
		d, ok := p.Start(i)
		if !ok {
			break
		}
		if d < prev {
			t.Fatalf("Start(%d) = %v < Start(%d) = %v", i, d, i-1, prev)
		}
		prev = d
	}
	if i != p.Planned() {
		t.Errorf("ran %d starts, Planned says %d", i, p.Planned())
	}
}

func TestScheduleValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		s    Schedule
		want string // a fragment of the error; "" for valid
	}{
		{"ok", Schedule{Rate: 1, Duration: time.Second}, ""},
		{"nothing", Schedule{}, "needs a rate or stages"},
		{"unbounded", Schedule{Rate: 5}, "needs a duration"},
		{"both", Schedule{Rate: 5, Stages: []Stage{{time.Second, 1, 1}}}, "exclude"},
		{"bad stage", Schedule{Stages: []Stage{{0, 1, 1}}}, "stage 1: duration"},
		{"negative rate", Schedule{Stages: []Stage{{time.Second, -1, 1}}}, "stage 1: rate"},
	}
	for _, c := range cases {
		err := c.s.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    float64
		wantErr string
	}{
		{"200/s", 200, ""},
		{"200", 200, ""},
		{"90/m", 1.5, ""},
		{"3600/h", 1, ""},
		{"0.5/s", 0.5, ""},
		{"", 0, "position 1: expected a number"},
		{"abc/s", 0, "position 1"},
		{"10/x", 0, "position 4: unit"},
		{"-3/s", 0, "not a number ≥ 0"},
	}
	for _, c := range cases {
		got, err := ParseRate(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseRate(%q): got %v, %v; want error containing %q", c.in, got, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseRate(%q): got %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParseStages(t *testing.T) {
	t.Parallel()
	got, err := ParseStages("30s:0→200/s,5m:200/s,30s:200->0/s,1m:60->120/m")
	if err != nil {
		t.Fatal(err)
	}
	want := []Stage{{30 * time.Second, 0, 200}, {5 * time.Minute, 200, 200}, {30 * time.Second, 200, 0}, {time.Minute, 1, 2}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stage %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	errs := []struct{ in, want string }{
		{"", "empty"},
		{"30s", "position 1: expected DURATION"},
		{"30s:1/s,xx:1/s", "position 9"},
		{"30s:1/s,5s:a→2/s", "position 12"},
		{"30s:1/s,5s:1→b/s", "position 16"}, // "→" is 3 bytes,
		{"1s:1/q", "position 6: unit"},
	}
	for _, c := range errs {
		if _, err := ParseStages(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseStages(%q): got %v, want error containing %q", c.in, err, c.want)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"200/s", "90/m", "1/h", "", "x", "1e308/s", "NaN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err == nil && (r < 0 || math.IsNaN(r) || math.IsInf(r, 0)) {
			t.Fatalf("ParseRate(%q) = %v without error", s, r)
		}
	})
}

func FuzzParseStages(f *testing.F) {
	for _, s := range []string{"30s:0→200/s,5m:200/s,30s:200→0/s", "1s:1->2", ",", "1s:→", "1h:1e9/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, err := ParseStages(s)
		if err != nil {
			return
		}
		p, err := NewPacer(Schedule{Stages: st, Iterations: 1000})
		if err != nil {
			t.Fatalf("parsed stages %v are invalid: %v", st, err)
		}
		var prev time.Duration
		for i := int64(0); i < 1000; i++ {
			d, ok := p.Start(i)
			if !ok {
				break
			}
			if d < prev {
				t.Fatalf("start %d goes back: %v < %v", i, d, prev)
			}
			prev = d
		}
	})
}
