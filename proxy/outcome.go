package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-fhir/sluice/internal/status"
)

// httpError is an error with the HTTP status it deserves; the packages below proxy make them
// too (internal/status).
type httpError = status.Error

// errorf builds an httpError.
var errorf = status.Errorf

// statusOf maps an error to its HTTP status and the message a client may see.
//
// Functions in sql/ raise SQLSTATE 'SL' || <status> (SL404, SL409, SL422), so their status is
// in the code itself; a few of PostgreSQL's own codes get a fitting status; anything else is a
// bug (500) and its text stays in the log, not in the answer.
func statusOf(err error) (int, string) {
	var he *httpError
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

// issueCodes are the OperationOutcome issue codes (FHIR IssueType) for each status.
var issueCodes = map[int]string{
	http.StatusBadRequest:            "invalid",
	http.StatusUnauthorized:          "login",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not-found",
	http.StatusMethodNotAllowed:      "not-supported",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too-costly",
	http.StatusUnsupportedMediaType:  "not-supported",
	http.StatusUnprocessableEntity:   "processing",
	http.StatusTooManyRequests:       "throttled",
	http.StatusNotImplemented:        "not-supported",
}

// outcome is an OperationOutcome with one error issue.
func outcome(status int, message string) []byte {
	code, ok := issueCodes[status]
	if !ok {
		code = "exception"
	}
	body, _ := json.Marshal(map[string]any{
		"resourceType": "OperationOutcome",
		"issue":        []any{map[string]any{"severity": "error", "code": code, "diagnostics": message}},
	})
	return body
}

// errClientGone marks an error that means the client went away (its connection closed while
// the server read the request): nobody waits for an answer and the server did nothing wrong.
var errClientGone = errors.New("the client went away")

// writeError answers with the OperationOutcome for err. When the client went away (the
// request's context was cancelled, or errClientGone) there is nobody to answer: it is logged
// at info level, not as a failure of the server.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil || errors.Is(err, errClientGone) {
		slog.Info("request stopped: the client went away", "method", r.Method, "path", r.URL.Path, "err", err)
		if gone, ok := w.(interface{ markClientGone() }); ok {
			gone.markClientGone()
		}
		return
	}
	status, message := statusOf(err)
	if status == http.StatusInternalServerError {
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="sluice"`)
	}
	var he *httpError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(he.RetryAfter.Seconds()))))
	}
	writeJSON(w, status, outcome(status, message))
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}
