package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sluice-fhir/sluice/gen"
)

// loadRequest is the body of POST /[fhir/][<type>/]$load.
type loadRequest struct {
	Source     string          `json:"source"`
	Update     bool            `json:"update"`
	StripNulls bool            `json:"strip-nulls"`
	Merge      json.RawMessage `json:"merge"`
}

// loadSpec is what one load does, for $load and for an $import input alike.
type loadSpec struct {
	resourceType string // "" for /$load: each line names its type
	fhir         bool
	update       bool
	stripNulls   bool
	merge        []byte // a JSON object, or nil
	// operator: the load is the operator's, who alone may load the types that grant or
	// configure access (sluice.guards_access); sluice.load_merge refuses them to anyone else.
	operator bool
}

// withLoadDeadline bounds one load ($load, or one $import input) by Config.BulkMaxDuration, so
// that no load holds a connection and an open transaction (and so vacuum) for as long as its
// source likes. loadFailure turns the deadline into the error the caller sees.
func (s *Server) withLoadDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, s.cfg.BulkMaxDuration, errorf(http.StatusRequestEntityTooLarge,
		"the load did not finish within the limit of %v (SLUICE_BULK_MAX_DURATION); nothing was written",
		s.cfg.BulkMaxDuration))
}

// loadFailure is the error a load failed with: the reason its context ended when it did (the
// deadline, a cancelled import), since what the database or the source says then is only
// "canceled" or a closed connection.
func loadFailure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != ctx.Err() {
			return cause
		}
	}
	return err
}

// load serves POST /[fhir/][<type>/]$load (docs/api.md, "Bulk load"): the source streams through the
// stager into COPY, and sluice.load_merge writes the staged lines, all in one transaction.
func (s *Server) load(w http.ResponseWriter, r *http.Request, rt route) error {
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	var req loadRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return errorf(http.StatusUnprocessableEntity, "$load body: %v", err)
	}
	if req.Source == "" {
		return errorf(http.StatusUnprocessableEntity, "$load needs a source: the URL of an NDJSON file")
	}
	spec := loadSpec{resourceType: rt.resourceType, fhir: rt.fhir, update: req.Update, stripNulls: req.StripNulls,
		operator: callerOf(r.Context()).operator}
	if len(req.Merge) > 0 && string(req.Merge) != "null" {
		if req.Merge[0] != '{' {
			return errorf(http.StatusUnprocessableEntity, "merge must be an object")
		}
		spec.merge = req.Merge
	}
	if err := s.loadPreflight(r.Context(), spec); err != nil {
		return err
	}
	ctx, cancel := s.withLoadDeadline(r.Context())
	defer cancel()
	src, err := s.sources.Open(ctx, req.Source)
	if err != nil {
		return loadFailure(ctx, err)
	}
	defer src.Close()

	var written gen.LoadMergeRow
	err = pgx.BeginFunc(ctx, s.bulk, func(tx pgx.Tx) error {
		written, err = s.loadInto(ctx, tx, spec, src, nil)
		return err
	})
	if err != nil {
		return loadFailure(ctx, err)
	}
	if spec.resourceType == "" {
		writeJSON(w, http.StatusOK, written.Counts)
		return nil
	}
	writeJSON(w, http.StatusOK, fmt.Appendf(nil, `{"total":%d}`, written.Total))
	return nil
}

// loadPreflight answers what can be known before fetching: an unknown type is 404, and a type
// only the operator may load is 403 to anyone else (sluice.load_merge would refuse it anyway,
// but only after the whole source was fetched and staged).
func (s *Server) loadPreflight(ctx context.Context, spec loadSpec) error {
	if spec.resourceType == "" {
		return nil
	}
	info, err := s.q.LoadTypeInfo(ctx, s.pool, spec.resourceType)
	if err != nil {
		return err
	}
	if !info.Known {
		return errorf(http.StatusNotFound, "unknown resource type %s", spec.resourceType)
	}
	if info.GuardsAccess && !spec.operator {
		return errorf(http.StatusForbidden, "%s resources grant or configure access; only the operator may load them", spec.resourceType)
	}
	return nil
}

// loadInto runs one load in tx: stage the source's lines with COPY, then merge them. It
// returns the counts per type (as JSON) and the count of spec's type. staged, when not nil, is
// told how many lines were staged once the COPY is done.
func (s *Server) loadInto(ctx context.Context, tx pgx.Tx, spec loadSpec, src io.Reader, staged func(lines int64) error) (gen.LoadMergeRow, error) {
	var none gen.LoadMergeRow
	table, err := s.q.LoadStage(ctx, tx)
	if err != nil {
		return none, err
	}
	st := newStager(src, spec.resourceType, spec.fhir, loadLimits{maxBytes: s.cfg.LoadMaxBytes, maxLines: s.cfg.LoadMaxLines})
	_, err = tx.Conn().PgConn().CopyFrom(ctx, st, stageCopySQL(table, spec.fhir))
	if failure := st.failure(); failure != nil {
		var le *lineError
		if errors.As(failure, &le) {
			return none, errorf(http.StatusUnprocessableEntity, "%s", le.Error())
		}
		return none, failure
	}
	if err != nil {
		return none, copyError(err)
	}
	if staged != nil {
		if err := staged(st.resource); err != nil {
			return none, err
		}
	}
	return s.q.LoadMerge(ctx, tx, gen.LoadMergeParams{
		ResourceType: spec.resourceType,
		Types:        st.typeList(),
		Fhir:         spec.fhir,
		Update:       spec.update,
		StripNulls:   spec.stripNulls,
		Merge:        spec.merge,
		Operator:     spec.operator,
	})
}

// copyWhere is the line and column of a COPY error's context ("COPY load:4242, line 7, column
// resource: ..."; the staging table is named after the backend).
var copyWhere = regexp.MustCompile(`COPY load:\d+, line (\d+)(?:, column (\w+))?`)

// copyError names the source line of a COPY error (the stager keeps COPY's line numbers equal
// to the source's, blank lines included): a line PostgreSQL could not take as jsonb is "not
// JSON".
func copyError(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	m := copyWhere.FindStringSubmatch(pg.Where)
	if m == nil {
		return err
	}
	line, _ := strconv.ParseInt(m[1], 10, 64)
	message := pg.Message
	if pg.Detail != "" {
		message += " (" + pg.Detail + ")"
	}
	switch m[2] {
	case "resource":
		message = "not JSON: " + message
	case "cts":
		message = "meta.createdAt is not a date-time: " + message
	}
	return errorf(http.StatusUnprocessableEntity, "%s", (&lineError{line: line, message: message}).Error())
}
