package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/authbench/authbench/reports"
)

// IntervalRowsFile is the file of a run directory that holds the summary's
// per-interval rows, one JSON object a line, written as the run goes.
const IntervalRowsFile = reports.IntervalRowsFile

// IntervalRows is the sink that streams the summary's per-interval rows to a writer
// (a run directory's intervals.ndjson) instead of keeping them: with it a run of
// hours holds no per-interval state in memory, and the summary's "intervals" array
// is copied from the stream when the summary is written. Its OnInterval method plugs
// into Config.OnInterval (with Config.DiscardIntervals set); it is safe for
// concurrent use. The first write error stops the stream and is returned by Err.
type IntervalRows struct {
	mu   sync.Mutex
	enc  *json.Encoder
	name string
	rows int64
	err  error
}

// NewIntervalRows streams rows to w; name is the file's name, for the error.
func NewIntervalRows(w io.Writer, name string) *IntervalRows {
	return &IntervalRows{enc: json.NewEncoder(w), name: name}
}

// OnInterval writes iv as one row, its bounds relative to iv.RunStart.
func (r *IntervalRows) OnInterval(iv *Interval) {
	row := SummaryIntervalOf(iv, iv.RunStart)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		if r.err = r.enc.Encode(&row); r.err == nil {
			r.rows++
		}
	}
}

// Rows is the number of rows written.
func (r *IntervalRows) Rows() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rows
}

// Err returns the first write error, naming the file; nil for a nil sink.
func (r *IntervalRows) Err() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return fmt.Errorf("writing %s: %w", r.name, r.err)
	}
	return nil
}
