// Package bulk holds the bulk load ($load: the NDJSON stager, COPY into a staging table, the
// merge) and the $import job queue's workers, which load each waiting input the same way.
// The HTTP side (proxy) parses the requests, admits them and writes the answers; failures
// here carry the HTTP status they map to (internal/status).
package bulk

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/status"
)

// errorf builds an error carrying the HTTP status it maps to.
var errorf = status.Errorf

// Spec is what one load does, for $load and for an $import input alike.
type Spec struct {
	ResourceType string // "" for /$load: each line names its type
	FHIR         bool
	Update       bool
	StripNulls   bool
	Merge        []byte // a JSON object, or nil
	// Operator: the load is the operator's, who alone may load the types that grant or
	// configure access (sluice.guards_access); sluice.load_merge refuses them to anyone else.
	Operator bool
	// Skip ("on-error": "skip"): a bad line is reported (Result.Problems), not fatal; the good
	// lines are written. Otherwise the first bad line fails the whole load.
	Skip bool
}

// MaxProblemsShown is how many bad lines a $load answer lists (all of them are counted).
const MaxProblemsShown = 100

// Result is what one load wrote, and with Spec.Skip its bad lines.
type Result struct {
	gen.LoadMergeRow
	// Problems is {"total": n, "problems": [{"line": n, "problem": text}, ...]} (the first
	// MaxProblemsShown, in line order); nil unless Spec.Skip.
	Problems []byte
}

// Limits bound one load ($load, or one $import input).
type Limits struct {
	MaxBytes    int64         // decompressed source bytes (SLUICE_LOAD_MAX_BYTES)
	MaxLines    int64         // non-blank lines (SLUICE_LOAD_MAX_LINES)
	MaxDuration time.Duration // fetch, stage and merge together (SLUICE_BULK_MAX_DURATION)
}

// WithDeadline bounds one load ($load, or one $import input) by limits.MaxDuration, so
// that no load holds a connection and an open transaction (and so vacuum) for as long as its
// source likes. Failure turns the deadline into the error the caller sees.
func WithDeadline(ctx context.Context, limits Limits) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, limits.MaxDuration, errorf(http.StatusRequestEntityTooLarge,
		"the load did not finish within the limit of %v (SLUICE_BULK_MAX_DURATION); nothing was written",
		limits.MaxDuration))
}

// Failure is the error a load failed with: the reason its context ended when it did (the
// deadline, a cancelled import), since what the database or the source says then is only
// "canceled" or a closed connection.
func Failure(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != ctx.Err() {
			return cause
		}
	}
	return err
}

// Preflight answers what can be known before fetching: an unknown type is 404, and a type
// only the operator may load is 403 to anyone else (sluice.load_merge would refuse it anyway,
// but only after the whole source was fetched and staged).
func Preflight(ctx context.Context, db gen.DBTX, q *gen.Queries, spec Spec) error {
	if spec.ResourceType == "" {
		return nil
	}
	info, err := q.LoadTypeInfo(ctx, db, spec.ResourceType)
	if err != nil {
		return err
	}
	if !info.Known {
		return errorf(http.StatusNotFound, "unknown resource type %s", spec.ResourceType)
	}
	if info.GuardsAccess && !spec.Operator {
		return errorf(http.StatusForbidden, "%s resources grant or configure access; only the operator may load them", spec.ResourceType)
	}
	return nil
}

// Load runs one load in tx: the source's lines staged with COPY, then merged. It returns the
// counts per type (as JSON), the count of spec's type and, with spec.Skip, the bad lines.
func Load(ctx context.Context, tx pgx.Tx, q *gen.Queries, spec Spec, src io.Reader, limits Limits) (Result, error) {
	return loadInto(ctx, tx, q, spec, src, limits, pgtype.Int8{}, nil)
}

// loadInto runs one load in tx: stage the source's lines with COPY, then merge them. It
// returns what Load does; with spec.Skip the bad lines of input (an $import input's key) are
// kept in sluice.import_error too. staged, when not nil, is told how many lines were staged
// once the COPY is done.
func loadInto(ctx context.Context, tx pgx.Tx, q *gen.Queries, spec Spec, src io.Reader, limits Limits, input pgtype.Int8, staged func(lines int64) error) (Result, error) {
	var none Result
	table, err := q.LoadStage(ctx, tx)
	if err != nil {
		return none, err
	}
	st := newStager(src, spec.ResourceType, spec.FHIR, spec.Skip, loadLimits{maxBytes: limits.MaxBytes, maxLines: limits.MaxLines})
	_, err = tx.Conn().PgConn().CopyFrom(ctx, st, stageCopySQL(table, spec.FHIR, spec.Skip))
	if failure := st.failure(); failure != nil {
		var le *lineError
		if errors.As(failure, &le) {
			return none, errorf(http.StatusUnprocessableEntity, "%s", le.Error())
		}
		return none, failure
	}
	if err != nil {
		return none, err
	}
	if staged != nil {
		if err := staged(st.resource); err != nil {
			return none, err
		}
	}
	merged, err := q.LoadMerge(ctx, tx, gen.LoadMergeParams{
		ResourceType: spec.ResourceType,
		Types:        st.typeList(),
		Fhir:         spec.FHIR,
		Update:       spec.Update,
		StripNulls:   spec.StripNulls,
		Merge:        spec.Merge,
		Operator:     spec.Operator,
		Skip:         spec.Skip,
	})
	if err != nil || !spec.Skip {
		return Result{LoadMergeRow: merged}, err
	}
	problems, err := q.LoadProblems(ctx, tx, gen.LoadProblemsParams{MaxShown: MaxProblemsShown, InputKey: input})
	return Result{LoadMergeRow: merged, Problems: problems}, err
}
