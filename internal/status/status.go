// Package status lets the packages under the HTTP layer classify a failure by the HTTP status
// it maps to (a bad source is the client's 422, a busy server 429 or 503) without depending on
// the layer that writes the answer.
package status

import (
	"fmt"
	"time"
)

// Error is an error with the HTTP status it deserves.
type Error struct {
	Code    int
	Message string
	// RetryAfter, when positive, is sent as Retry-After (rounded up to whole seconds).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an Error.
func Errorf(code int, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
