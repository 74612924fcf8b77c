package proxy

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/sluice-fhir/sluice/internal/status"
)

// httpError is an error with the HTTP status it deserves; the packages below proxy make them
// too (internal/status).
type httpError = status.Error

// errorf builds an httpError.
var errorf = status.Errorf

// statusOf maps an error to its HTTP status and the message a client may see (internal/status
// holds the rule, which the import workers apply to a failed input too).
var statusOf = status.Of

// issueCodes are the OperationOutcome issue codes (FHIR IssueType) for each status.
var issueCodes = map[int]string{
	http.StatusBadRequest:            "invalid",
	http.StatusUnauthorized:          "login",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not-found",
	http.StatusMethodNotAllowed:      "not-supported",
	http.StatusConflict:              "conflict",
	http.StatusGone:                  "deleted",
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
	var he *httpError
	isHTTPError := errors.As(err, &he)
	switch {
	case isHTTPError && he.Challenge != "":
		w.Header().Set("WWW-Authenticate", he.Challenge)
	case status == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="sluice"`)
	}
	if isHTTPError && he.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(he.RetryAfter.Seconds()))))
	}
	writeJSON(w, status, outcome(status, message))
}
