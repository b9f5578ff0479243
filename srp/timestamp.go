package srp

import "time"

// TimestampLayout is the TIMESTAMP layout of PASSWORD_VERIFIER responses, in Go's
// notation: English day and month names, day of the month not padded, 24-hour clock,
// always UTC ("Tue Mar 5 07:04:09 UTC 2024").
const TimestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// Timestamp formats t (converted to UTC) as a PASSWORD_VERIFIER TIMESTAMP.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// ParseTimestamp parses a PASSWORD_VERIFIER TIMESTAMP. A day written with a leading
// zero is accepted; the signature covers the string exactly as sent.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return time.Time{}, &FormatError{Field: "TIMESTAMP", Reason: "want " + TimestampLayout}
	}
	return t, nil
}
