package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/internal/bulk"
)

// loadRequest is the body of POST /[fhir/][<type>/]$load.
type loadRequest struct {
	Source     string          `json:"source"`
	Update     bool            `json:"update"`
	StripNulls bool            `json:"strip-nulls"`
	Merge      json.RawMessage `json:"merge"`
	OnError    string          `json:"on-error"`
	DryRun     bool            `json:"dry-run"`
}

// errDryRun rolls back a dry-run load once its answer is known.
var errDryRun = errors.New("dry run")

// skipOf reads "on-error" of a $load or $import body: "fail" (the default) or "skip".
func skipOf(onError string) (bool, error) {
	switch onError {
	case "", "fail":
		return false, nil
	case "skip":
		return true, nil
	}
	return false, errorf(http.StatusUnprocessableEntity, `on-error must be "fail" or "skip", got %q`, onError)
}

// problemsOutcome turns sluice.load_problems' list into the answer's part about bad lines:
// "problems", their total, and "outcome", an OperationOutcome with an issue for each one shown,
// the line number leading its diagnostics ("line 3: no id").
func problemsOutcome(problems []byte) (map[string]any, error) {
	var list struct {
		Total    int64 `json:"total"`
		Problems []struct {
			Line    int64  `json:"line"`
			Problem string `json:"problem"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(problems, &list); err != nil {
		return nil, err
	}
	issues := make([]any, 0, len(list.Problems))
	for _, p := range list.Problems {
		issues = append(issues, map[string]any{"severity": "error", "code": "processing",
			"diagnostics": fmt.Sprintf("line %d: %s", p.Line, p.Problem)})
	}
	return map[string]any{"problems": list.Total,
		"outcome": map[string]any{"resourceType": "OperationOutcome", "issue": issues}}, nil
}

// load serves POST /[fhir/][<type>/]$load (docs/api.md, "Bulk load"): the source streams through the
// stager into COPY, and sluice.load_merge writes the staged lines, all in one transaction
// (internal/bulk).
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
	skip, err := skipOf(req.OnError)
	if err != nil {
		return err
	}
	spec := bulk.Spec{ResourceType: rt.resourceType, FHIR: rt.fhir, Update: req.Update, StripNulls: req.StripNulls,
		Operator: callerOf(r.Context()).operator, Skip: skip}
	if len(req.Merge) > 0 && string(req.Merge) != "null" {
		if req.Merge[0] != '{' {
			return errorf(http.StatusUnprocessableEntity, "merge must be an object")
		}
		spec.Merge = req.Merge
	}
	if err := bulk.Preflight(r.Context(), s.pool, s.q, spec); err != nil {
		return err
	}
	ctx, cancel := bulk.WithDeadline(r.Context(), s.loadLimits)
	defer cancel()
	src, err := s.sources.Open(ctx, req.Source)
	if err != nil {
		return bulk.Failure(ctx, err)
	}
	defer src.Close()

	// A dry run loads as any other, then rolls back: with "on-error": "fail" its first bad line
	// fails it as it would the load, with "skip" it answers the bad lines.
	var written bulk.Result
	err = pgx.BeginFunc(ctx, s.bulk, func(tx pgx.Tx) error {
		written, err = bulk.Load(ctx, tx, s.q, spec, src, s.loadLimits)
		if err == nil && req.DryRun {
			return errDryRun
		}
		return err
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return bulk.Failure(ctx, err)
	}
	if !req.DryRun {
		s.metrics.streamed("$load", 0, written.Total)
	}
	if !spec.Skip && !req.DryRun {
		if spec.ResourceType == "" {
			writeJSON(w, http.StatusOK, written.Counts)
			return nil
		}
		writeJSON(w, http.StatusOK, fmt.Appendf(nil, `{"total":%d}`, written.Total))
		return nil
	}
	answer := map[string]any{}
	if spec.Skip {
		if answer, err = problemsOutcome(written.Problems); err != nil {
			return err
		}
	}
	var counts map[string]int64
	if err := json.Unmarshal(written.Counts, &counts); err != nil {
		return err
	}
	if spec.ResourceType == "" {
		for t, n := range counts {
			answer[t] = n
		}
	} else {
		answer["total"] = written.Total
	}
	if req.DryRun {
		answer["dry-run"] = true
	}
	body, err = json.Marshal(answer)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}
