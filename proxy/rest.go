package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/sluice-fhir/sluice/gen"
)

// resourceRequest serves POST /<type> and GET|PUT|DELETE /<type>/<id> through
// sluice.bundle_entry, the same function a Bundle entry goes through.
func (s *Server) resourceRequest(w http.ResponseWriter, r *http.Request, rt route) error {
	var body []byte
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		var err error
		if body, err = readBody(r, w, s.cfg.MaxBodyBytes); err != nil {
			return err
		}
	}
	url := "/" + rt.resourceType
	if rt.id != "" {
		url += "/" + rt.id
	}
	row, err := s.q.RequestRun(r.Context(), s.pool, gen.RequestRunParams{Fhir: rt.fhir, Method: r.Method, Url: url, Resource: body})
	if err != nil {
		return err
	}
	status := int(row.Status)
	if status == http.StatusCreated {
		w.Header().Set("Location", locationPrefix(rt)+row.Location)
	}
	writeResource(w, rt, status, row.Resource)
	return nil
}

// locationPrefix is where a route's resources live: / or /fhir/.
func locationPrefix(rt route) string {
	if rt.fhir {
		return "/fhir/"
	}
	return "/"
}

// writeResource answers with a resource or bundle: FHIR JSON under /fhir, else Aidbox JSON
// (YAML when asked: writeAnswer).
func writeResource(w http.ResponseWriter, rt route, status int, body []byte) {
	if rt.fhir {
		writeAnswer(w, status, "application/fhir+json", body)
		return
	}
	writeJSON(w, status, body)
}

// putResources serves PUT /: an array of resources upserted in one transaction.
func (s *Server) putResources(w http.ResponseWriter, r *http.Request, rt route) error {
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	if err := s.checkPutItems(r, rt, body); err != nil {
		return err
	}
	result, err := s.q.ResourcesPut(r.Context(), s.pool, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, result)
	return nil
}

// bundle is the part of a Bundle that POST / reads; entries stay raw for the database.
type bundle struct {
	ResourceType string            `json:"resourceType"`
	Type         string            `json:"type"`
	Entry        []json.RawMessage `json:"entry"`
}

// postBundle serves POST / and POST /fhir: a transaction Bundle runs all its entries in one
// database transaction (all or nothing); a batch runs each entry on its own and reports each
// result.
func (s *Server) postBundle(w http.ResponseWriter, r *http.Request, rt route) error {
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	var b bundle
	if err := json.Unmarshal(body, &b); err != nil {
		return errorf(http.StatusUnprocessableEntity, "POST / takes a Bundle object: %v", err)
	}
	if b.ResourceType != "Bundle" && b.ResourceType != "bundle" {
		return errorf(http.StatusUnprocessableEntity, "POST / takes a Bundle, got resourceType %q", b.ResourceType)
	}
	if b.Type != "transaction" && b.Type != "batch" {
		return errorf(http.StatusUnprocessableEntity, "Bundle.type must be transaction or batch, got %q", b.Type)
	}
	refused, err := s.refusedEntries(r, rt, b.Entry)
	if err != nil {
		return err
	}
	var entries [][]byte
	if b.Type == "transaction" {
		if len(refused) > 0 {
			return refused[0].err
		}
		entries, err = s.runTransaction(r.Context(), rt.fhir, b.Entry)
	} else {
		entries = s.runBatch(r.Context(), rt.fhir, b.Entry, refused)
	}
	if err != nil {
		return err
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, `{"resourceType":"Bundle","type":"%s-response","entry":[`, b.Type)
	out.Write(bytes.Join(entries, []byte(",")))
	out.WriteString("]}")
	writeResource(w, rt, http.StatusOK, out.Bytes())
	return nil
}

// runTransaction runs every entry in one transaction; the first failure rolls all back.
func (s *Server) runTransaction(ctx context.Context, fhir bool, entries []json.RawMessage) ([][]byte, error) {
	var results [][]byte
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for i, entry := range entries {
			result, err := s.q.BundleEntry(ctx, tx, gen.BundleEntryParams{Fhir: fhir, Entry: entry})
			if err != nil {
				return entryError(i, err)
			}
			results = append(results, result)
		}
		return nil
	})
	return results, err
}

// runBatch runs each entry in its own transaction; a failed entry answers with its outcome,
// and so does a refused one, which does not run.
func (s *Server) runBatch(ctx context.Context, fhir bool, entries []json.RawMessage, refused []refusedWrite) [][]byte {
	refusals := make(map[int]error, len(refused))
	for _, refusal := range refused {
		refusals[refusal.index] = refusal.err
	}
	results := make([][]byte, len(entries))
	for i, entry := range entries {
		var result []byte
		err, isRefused := refusals[i]
		if !isRefused {
			result, err = s.q.BundleEntry(ctx, s.pool, gen.BundleEntryParams{Fhir: fhir, Entry: entry})
		}
		if err != nil {
			status, message := statusOf(err)
			result, _ = json.Marshal(map[string]any{"response": map[string]any{
				"status":  fmt.Sprintf("%d %s", status, http.StatusText(status)),
				"outcome": json.RawMessage(outcome(status, message)),
			}})
		}
		results[i] = result
	}
	return results
}

// entryError names the failing entry of a transaction, keeping the error's status.
func entryError(index int, err error) error {
	status, message := statusOf(err)
	if status == http.StatusInternalServerError {
		return err
	}
	return errorf(status, "entry %d: %s", index, message)
}

// refusedWrite is a write inside a Bundle or PUT / that the caller may not make: a 403
// naming it, by entry or item index.
type refusedWrite struct {
	index int
	err   error
}

// refusals turns rows of policy.refused_entries or policy.refused_items into their 403s.
func refusals(c caller, what string, rows []gen.PolicyRefusedEntriesRow) []refusedWrite {
	refused := make([]refusedWrite, len(rows))
	for i, row := range rows {
		why := "no AccessPolicy of the client allows it"
		if c.scope.Valid {
			why = "its token's scope (" + c.scope.String + ") does not cover it, or no AccessPolicy of the client allows it"
		}
		if row.Guarded {
			why = "writing Client or AccessPolicy needs an AccessPolicy that names the type (params resource/type)"
		}
		refused[i] = refusedWrite{index: int(row.Entry), err: errorf(http.StatusForbidden,
			"%s %d: client %s is not allowed to %s %s: %s", what, row.Entry, c.id, row.Method, row.Uri, why)}
	}
	return refused
}

// refusedEntries asks policy.refused_entries which entries of a Bundle the caller may not run
// as the requests they stand for, in entry order (none for the operator).
func (s *Server) refusedEntries(r *http.Request, rt route, entries []json.RawMessage) ([]refusedWrite, error) {
	c := callerOf(r.Context())
	if c.operator {
		return nil, nil
	}
	request, err := policyRequest(r, rt, c.id)
	if err != nil {
		return nil, err
	}
	all, err := json.Marshal(entries)
	if err != nil {
		return nil, err
	}
	rows, err := s.q.PolicyRefusedEntries(r.Context(), s.pool, gen.PolicyRefusedEntriesParams{ClientID: c.id, Request: request, Entries: all, Scope: c.scope})
	if err != nil {
		return nil, err
	}
	return refusals(c, "entry", rows), nil
}

// checkPutItems refuses PUT / (403, nothing written) when the caller may not PUT one of its
// items as PUT /<type>/<id> (policy.refused_items).
func (s *Server) checkPutItems(r *http.Request, rt route, resources []byte) error {
	c := callerOf(r.Context())
	if c.operator {
		return nil
	}
	request, err := policyRequest(r, rt, c.id)
	if err != nil {
		return err
	}
	rows, err := s.q.PolicyRefusedItems(r.Context(), s.pool, gen.PolicyRefusedItemsParams{ClientID: c.id, Request: request, Resources: resources, Scope: c.scope})
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		converted := make([]gen.PolicyRefusedEntriesRow, len(rows))
		for i, row := range rows {
			converted[i] = gen.PolicyRefusedEntriesRow(row)
		}
		return refusals(c, "item", converted)[0].err
	}
	return nil
}

// toFormat serves POST /to-format/fhir and POST /to-format/aidbox: the resource in the body
// (JSON or YAML) converted to FHIR or to Aidbox format by the SQL functions everything else
// converts with (fhir.to_fhir, fhir.from_fhir: the type's Attributes apply). Nothing is stored.
func (s *Server) toFormat(w http.ResponseWriter, r *http.Request, rt route) error {
	body, err := readBody(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	toFHIR := rt.operation == "to-format/fhir"
	var head struct {
		ResourceType any `json:"resourceType"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return errorf(http.StatusUnprocessableEntity, "%s takes a resource: a JSON or YAML object with a resourceType", r.URL.Path)
	}
	if _, ok := head.ResourceType.(string); !ok {
		return errorf(http.StatusUnprocessableEntity, "%s takes a resource: the body has no resourceType string", r.URL.Path)
	}
	converted, err := s.q.ToFormat(r.Context(), s.pool, gen.ToFormatParams{ToFhir: toFHIR, Resource: body})
	if err != nil {
		return err
	}
	contentType := "application/json"
	if toFHIR {
		contentType = "application/fhir+json"
	}
	writeAnswer(w, http.StatusOK, contentType, converted)
	return nil
}

// patientPurge serves POST [/fhir]/Patient/<id>/$purge, as Aidbox has it: the patient and every
// resource of its compartment, history included, removed in one transaction by
// sluice.patient_purge; the answer is the resources removed per type ({} when none: a
// missing patient is no error, so a purge can be repeated).
func (s *Server) patientPurge(w http.ResponseWriter, r *http.Request, rt route) error {
	removed, err := s.q.PatientPurge(r.Context(), s.pool, rt.id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, removed)
	return nil
}
