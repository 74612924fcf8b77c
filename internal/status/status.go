// Package status lets the packages under the HTTP layer classify a failure by the HTTP status
// it maps to (a bad source is the client's 422, a busy server 429 or 503) without depending on
// the layer that writes the answer.
package status

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Error is an error with the HTTP status it deserves.
type Error struct {
	Code    int
	Message string
	// RetryAfter, when positive, is sent as Retry-After (rounded up to whole seconds).
	RetryAfter time.Duration
	// Challenge, when set, is sent as WWW-Authenticate (a Bearer token's 401 and 403,
	// RFC 6750); a 401 without one gets HTTP Basic's.
	Challenge string
}

func (e *Error) Error() string { return e.Message }

// Errorf builds an Error.
func Errorf(code int, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Of maps an error to its HTTP status and the message a client may see.
//
// The SQL functions (migrations/) raise SQLSTATE 'SL' || <status> (SL404, SL409, SL422), so
// their status is in the code itself; a few of PostgreSQL's own codes get a fitting status; anything else is a
// bug (500) and its text stays in the log, not in the answer.
func Of(err error) (int, string) {
	var he *Error
	if errors.As(err, &he) {
		return he.Code, he.Message
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is larger than the limit of %d bytes (SLUICE_MAX_BODY_BYTES)", tooBig.Limit)
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		message := pg.Message
		if pg.Detail != "" {
			message += ": " + pg.Detail
		}
		if status, ok := strings.CutPrefix(pg.Code, "SL"); ok {
			if n, err := strconv.Atoi(status); err == nil && n >= 400 && n < 600 {
				return n, message
			}
		}
		switch {
		case pg.Code == "23505": // unique_violation
			return http.StatusConflict, message
		case pg.Code == "42501": // insufficient_privilege
			return http.StatusForbidden, message
		case strings.HasPrefix(pg.Code, "22"): // data exception: the input was bad
			return http.StatusUnprocessableEntity, message
		}
	}
	return http.StatusInternalServerError, "internal error (see the server log)"
}
