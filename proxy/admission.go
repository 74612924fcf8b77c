package proxy

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Bulk operations ($dump, $dump-csv, $load) run on their own pool (Server.bulk), so however
// many run, authentication, REST, status and /health keep their connections. Admission
// control keeps that pool from being queued on: a request that would exceed a limit is
// answered at once (429 or 503 with Retry-After), never left waiting for a connection.
//   - at most Config.BulkConnections run at once; one of them is kept for the operator, so a
//     crowd of clients cannot lock the operator out;
//   - at most Config.BulkPerClient of them belong to one client.
// $dump-sql has limits of its own (dumpsql.go); $import inputs run on the workers' own
// connections of the bulk pool (Config.ImportWorkers).

// Defaults of the bulk limits.
const (
	DefaultBulkConnections = 8
	DefaultBulkPerClient   = 2
	// bulkRetryAfter is the Retry-After of a refused bulk request.
	bulkRetryAfter = 5 * time.Second
)

// bulkAdmission counts the bulk operations running; its zero value is ready.
type bulkAdmission struct {
	mu        sync.Mutex
	running   int
	perClient map[string]int
}

// admit takes a slot for c or says why not; release gives it back.
func (a *bulkAdmission) admit(c caller, limit, perClient int) (release func(), err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.perClient == nil {
		a.perClient = map[string]int{}
	}
	switch {
	case !c.operator && a.perClient[c.id] >= perClient:
		return nil, errorf(http.StatusTooManyRequests,
			"client %s already runs %d bulk operations, the most one client may run at once (SLUICE_BULK_PER_CLIENT); retry when one ends", c.id, perClient)
	case !c.operator && a.running >= limit-1, a.running >= limit:
		return nil, errorf(http.StatusServiceUnavailable,
			"the server runs %d bulk operations, its limit (SLUICE_BULK_CONNECTIONS); retry later", a.running)
	}
	a.running++
	a.perClient[c.id]++
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.running--
			if a.perClient[c.id]--; a.perClient[c.id] == 0 {
				delete(a.perClient, c.id)
			}
		})
	}, nil
}

// admitBulk wraps a bulk handler in admission control.
func (s *Server) admitBulk(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, rt route) error {
		release, err := s.admission.admit(callerOf(r.Context()), s.cfg.BulkConnections, s.cfg.BulkPerClient)
		if err != nil {
			w.Header().Set("Retry-After", strconv.Itoa(int(bulkRetryAfter.Seconds())))
			return err
		}
		defer release()
		return h(w, r, rt)
	}
}

// boundedExport wraps an export handler so that the whole export, streaming included, ends
// within Config.BulkMaxDuration (loads bound themselves: withLoadDeadline). The request's
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
