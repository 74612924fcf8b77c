package proxy

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Admission control, for the bulk operations ($dump, $dump-csv, $load: Server.bulkRunning)
// and for $dump-sql (Server.dumpSQLRunning, dump.go). A request that would go over a limit
// is answered at once (429 or 503 with Retry-After), never queued:
//   - at most perClient requests of one caller run at once (429);
//   - at most overall requests of all clients together (503). The operator's do not count
//     there (it has its perClient of its own), so a crowd of clients cannot lock it out.
// Bulk operations run on their own pool (Server.bulk), sized for both limits and the import
// workers, so however many run, authentication, REST, status and /health keep their
// connections.

const (
	// admissionRetryAfter is the Retry-After of a refused request.
	admissionRetryAfter = 5 * time.Second
)

// admission counts the requests of one kind running; its zero value is ready.
type admission struct {
	mu       sync.Mutex
	clients  int // the operator's are not counted here
	byCaller map[caller]int
}

// admissionLimits are the limits of one kind of request and the settings that hold them,
// for the answers that refuse it.
type admissionLimits struct {
	what                       string // e.g. "bulk operations"
	perClient, overall         int
	perClientName, overallName string // the settings
}

// enter admits one more request of c, or says which limit it would go over; call leave once
// when the request has ended.
func (a *admission) enter(c caller, l admissionLimits) (leave func(), err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byCaller[c] >= l.perClient {
		return nil, &httpError{Code: http.StatusTooManyRequests, RetryAfter: admissionRetryAfter, Message: fmt.Sprintf(
			"this client already runs %d %s, the limit per client (%s): retry when one has ended", l.perClient, l.what, l.perClientName)}
	}
	if !c.operator && a.clients >= l.overall {
		return nil, &httpError{Code: http.StatusServiceUnavailable, RetryAfter: admissionRetryAfter, Message: fmt.Sprintf(
			"%d %s are running, the limit for all clients (%s): retry later", l.overall, l.what, l.overallName)}
	}
	if a.byCaller == nil {
		a.byCaller = map[caller]int{}
	}
	a.byCaller[c]++
	if !c.operator {
		a.clients++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			if a.byCaller[c]--; a.byCaller[c] == 0 {
				delete(a.byCaller, c)
			}
			if !c.operator {
				a.clients--
			}
		})
	}, nil
}

// admitBulk wraps a bulk handler in admission control.
func (s *Server) admitBulk(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, rt route) error {
		leave, err := s.bulkRunning.enter(callerOf(r.Context()), admissionLimits{what: "bulk operations",
			perClient: s.cfg.BulkPerClient, overall: s.cfg.BulkConnections,
			perClientName: "SLUICE_BULK_PER_CLIENT", overallName: "SLUICE_BULK_CONNECTIONS"})
		if err != nil {
			return err
		}
		defer leave()
		return h(w, r, rt)
	}
}

// boundedExport wraps an export handler so that the whole export, streaming included, ends
// within Config.BulkMaxDuration (loads bound themselves: bulk.WithDeadline). The request's
// context carries the deadline, so the query is cancelled when it passes; exportStream.finish
// then answers the limit's 413 (413, not 503: retrying the same export would not help), or
// cuts the stream once it has begun.
func (s *Server) boundedExport(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, rt route) error {
		ctx, cancel := context.WithTimeoutCause(r.Context(), s.cfg.BulkMaxDuration, errorf(http.StatusRequestEntityTooLarge,
			"the export did not finish within the limit of %v (SLUICE_BULK_MAX_DURATION) and was stopped", s.cfg.BulkMaxDuration))
		defer cancel()
		err := h(w, r.WithContext(ctx), rt)
		if err != nil && ctx.Err() != nil && r.Context().Err() == nil {
			return context.Cause(ctx)
		}
		return err
	}
}
