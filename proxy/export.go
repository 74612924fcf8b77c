package proxy

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sluice-fhir/sluice/gen"
	"github.com/sluice-fhir/sluice/internal/export"
	"github.com/sluice-fhir/sluice/internal/rules"
	"github.com/sluice-fhir/sluice/internal/status"
)

// FHIR Bulk Data $export (docs/export.md): the kick-off, the status, the cancel and the file
// downloads. The request is parsed here into the parameters sluice.export_create takes; the
// jobs themselves are internal/export's.

// exportRetryAfter is the Retry-After of a status poll while the job runs, and of a kick-off
// refused because too many jobs run.
const exportRetryAfter = 2 * time.Second

// exportParams is a kick-off's parameters as sluice.export_create takes them.
type exportParams struct {
	Level       string                          `json:"level"`
	Group       string                          `json:"group,omitempty"`
	Request     string                          `json:"request"`
	Types       []string                        `json:"types,omitempty"`
	Since       string                          `json:"since,omitempty"`
	Until       string                          `json:"until,omitempty"`
	TypeFilters map[string][]exportTypeCriteria `json:"typeFilters,omitempty"`
	Elements    map[string][]string             `json:"elements,omitempty"`
	Patients    []string                        `json:"patients,omitempty"`
	Lenient     bool                            `json:"lenient"`
	Errors      []string                        `json:"errors,omitempty"`
}

// exportTypeCriteria is one _typeFilter: the resources of its type that match all of it.
type exportTypeCriteria struct {
	LastUpdated [][2]string `json:"lastUpdated,omitempty"` // [prefix, instant]
	IDs         []string    `json:"ids,omitempty"`
}

// exportParam is one kick-off parameter: from the query string or a Parameters body.
type exportParam struct {
	name  string
	value string // a string-like value, or the reference of a valueReference
}

// exportOutputFormats are the _outputFormat values (all mean NDJSON).
var exportOutputFormats = map[string]bool{"application/fhir+ndjson": true, "application/ndjson": true, "ndjson": true}

// exportStart serves GET and POST /fhir/$export, /fhir/Patient/$export and
// /fhir/Group/<id>/$export: 202 with the status URL in Content-Location.
func (s *Server) exportStart(w http.ResponseWriter, r *http.Request, rt route) error {
	lenient := false
	async := false
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			switch strings.ToLower(strings.TrimSpace(p)) {
			case "respond-async":
				async = true
			case "handling=lenient":
				lenient = true
			}
		}
	}
	if !async {
		return errorf(http.StatusBadRequest, "$export runs asynchronously: send Prefer: respond-async")
	}
	params, err := exportRequestParams(r, w, s.cfg.MaxBodyBytes)
	if err != nil {
		return err
	}
	p := exportParams{Level: "system", Lenient: lenient, Request: s.baseURL(r) + r.URL.RequestURI()}
	switch {
	case rt.resourceType == "Patient":
		p.Level = "patient"
	case rt.resourceType == "Group":
		p.Level, p.Group = "group", rt.id
	}
	// refuse is a parameter sluice does not support: 400, or reported in the error file.
	refuse := func(format string, args ...any) error {
		err := errorf(http.StatusBadRequest, format, args...)
		if !lenient {
			return err
		}
		p.Errors = append(p.Errors, err.Error()+" (left out: handling=lenient)")
		return nil
	}
	for _, param := range params {
		v := param.value
		var err error
		switch param.name {
		case "_outputFormat":
			if !exportOutputFormats[v] {
				err = errorf(http.StatusBadRequest, "_outputFormat %q is not supported: NDJSON only (application/fhir+ndjson)", v)
			}
		case "_since", "_until":
			t, perr := export.ParseSince(v)
			if perr != nil {
				err = errorf(http.StatusBadRequest, "%s must be an ISO 8601 instant (2021-06-09T11:07:23Z), got %q", param.name, v)
				break
			}
			if param.name == "_since" {
				p.Since = t.UTC().Format(time.RFC3339Nano)
			} else {
				p.Until = t.UTC().Format(time.RFC3339Nano)
			}
		case "_type":
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					if !rules.IsTypeName(t) {
						return errorf(http.StatusBadRequest, "_type: %q is not a resource type", t)
					}
					p.Types = append(p.Types, t)
				}
			}
		case "_elements":
			for _, e := range strings.Split(v, ",") {
				e = strings.TrimSpace(e)
				typ, name, qualified := strings.Cut(e, ".")
				if !qualified {
					typ, name = "*", e
				}
				if name == "" || strings.Contains(name, ".") {
					err = refuse("_elements: %q is not a resource type's top-level element (Patient.name or name)", e)
					break
				}
				if p.Elements == nil {
					p.Elements = map[string][]string{}
				}
				p.Elements[typ] = append(p.Elements[typ], name)
			}
		case "_typeFilter":
			err = p.addTypeFilter(v, refuse)
		case "patient":
			id, ok := strings.CutPrefix(v, "Patient/")
			if !ok || id == "" || strings.Contains(id, "/") {
				err = errorf(http.StatusBadRequest, "patient must be a reference Patient/<id>, got %q", v)
			} else if p.Level == "system" {
				err = refuse("patient applies to Patient- and Group-level exports only")
			} else {
				p.Patients = append(p.Patients, id)
			}
		case "includeAssociatedData", "organizeOutputBy", "allowPartialManifests":
			if param.name == "allowPartialManifests" && v == "false" {
				break
			}
			err = refuse("%s is not supported", param.name)
		default:
			err = refuse("unknown $export parameter %q", param.name)
		}
		if err != nil {
			return err
		}
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	id, err := s.q.ExportCreate(r.Context(), s.pool, gen.ExportCreateParams{Params: body, Client: clientArg(r.Context()), MaxJobs: int32(s.cfg.ExportJobs)})
	if code, _ := status.Of(err); code == http.StatusTooManyRequests {
		_, message := status.Of(err)
		return &httpError{Code: http.StatusTooManyRequests, Message: message, RetryAfter: exportRetryAfter}
	}
	if err != nil {
		return err
	}
	s.exports.Wake()
	w.Header().Set("Content-Location", s.baseURL(r)+"/fhir/$export-status/"+id)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// addTypeFilter parses one _typeFilter, <type>?<criteria>: _lastUpdated (gt, ge, lt, le, eq, ne
// and an instant, repeated: all must hold) and _id (a comma list).
func (p *exportParams) addTypeFilter(v string, refuse func(string, ...any) error) error {
	typ, query, ok := strings.Cut(v, "?")
	if !ok || !rules.IsTypeName(typ) {
		return errorf(http.StatusBadRequest, "_typeFilter must be <type>?<search>, got %q", v)
	}
	values, err := url.ParseQuery(query)
	if err != nil {
		return errorf(http.StatusBadRequest, "_typeFilter %q: %v", v, err)
	}
	var c exportTypeCriteria
	for name, vs := range values {
		switch name {
		case "_lastUpdated":
			for _, lv := range vs {
				prefix := "eq"
				if len(lv) > 2 && strings.Contains("eq ne gt ge lt le", lv[:2]) && lv[0] >= 'a' {
					prefix, lv = lv[:2], lv[2:]
				}
				t, err := export.ParseSince(lv)
				if err != nil {
					return errorf(http.StatusBadRequest, "_typeFilter %q: _lastUpdated must be [gt|ge|lt|le|eq|ne]<instant>", v)
				}
				c.LastUpdated = append(c.LastUpdated, [2]string{prefix, t.UTC().Format(time.RFC3339Nano)})
			}
		case "_id":
			for _, ids := range vs {
				c.IDs = append(c.IDs, strings.Split(ids, ",")...)
			}
		default:
			return refuse("_typeFilter %q: search parameter %s is not supported (only _lastUpdated and _id)", v, name)
		}
	}
	if p.TypeFilters == nil {
		p.TypeFilters = map[string][]exportTypeCriteria{}
	}
	p.TypeFilters[typ] = append(p.TypeFilters[typ], c)
	return nil
}

// exportRequestParams are the kick-off's parameters: the query string, and for a POST with a
// body, the body's Parameters resource.
func exportRequestParams(r *http.Request, w http.ResponseWriter, maxBody int64) ([]exportParam, error) {
	var params []exportParam
	for name, vs := range r.URL.Query() {
		for _, v := range vs {
			params = append(params, exportParam{name, v})
		}
	}
	if r.Method != http.MethodPost {
		return params, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return params, nil
	}
	var parameters struct {
		ResourceType string `json:"resourceType"`
		Parameter    []map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &parameters); err != nil {
		return nil, errorf(http.StatusBadRequest, "the body must be a Parameters resource: %v", err)
	}
	if parameters.ResourceType != "Parameters" {
		return nil, errorf(http.StatusBadRequest, "the body must be a Parameters resource, not %q", parameters.ResourceType)
	}
	for i, p := range parameters.Parameter {
		var name string
		if err := json.Unmarshal(p["name"], &name); err != nil || name == "" {
			return nil, errorf(http.StatusBadRequest, "Parameters.parameter[%d] has no name", i)
		}
		value := ""
		found := false
		for k, raw := range p {
			if !strings.HasPrefix(k, "value") {
				continue
			}
			found = true
			if k == "valueReference" {
				var ref struct {
					Reference string `json:"reference"`
				}
				if err := json.Unmarshal(raw, &ref); err != nil || ref.Reference == "" {
					return nil, errorf(http.StatusBadRequest, "Parameters.parameter[%d] (%s): a valueReference needs a reference", i, name)
				}
				value = ref.Reference
			} else if err := json.Unmarshal(raw, &value); err != nil {
				var b bool
				if json.Unmarshal(raw, &b) != nil {
					return nil, errorf(http.StatusBadRequest, "Parameters.parameter[%d] (%s): %s must be a string", i, name, k)
				}
				value = map[bool]string{true: "true", false: "false"}[b]
			}
		}
		if !found {
			return nil, errorf(http.StatusBadRequest, "Parameters.parameter[%d] (%s) has no value", i, name)
		}
		params = append(params, exportParam{name, value})
	}
	return params, nil
}

// exportStatus serves GET /fhir/$export-status/<id>: 202 with Retry-After and X-Progress while
// the job runs, the manifest when done, an OperationOutcome when it failed.
func (s *Server) exportStatus(w http.ResponseWriter, r *http.Request, rt route) error {
	raw, err := s.q.ExportStatus(r.Context(), s.pool, gen.ExportStatusParams{ID: rt.id, Client: clientArg(r.Context()), Base: s.baseURL(r)})
	if err != nil {
		return err
	}
	var st export.StatusBody
	if err := json.Unmarshal(raw, &st); err != nil {
		return err
	}
	switch st.State {
	case "running":
		w.Header().Set("Retry-After", "2")
		w.Header().Set("X-Progress", st.Progress)
		w.WriteHeader(http.StatusAccepted)
	case "failed":
		code := http.StatusInternalServerError
		body, _ := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": []any{map[string]any{
			"severity": "error", "code": map[bool]string{true: "transient", false: "exception"}[st.Transient], "diagnostics": st.Error}}})
		writeJSON(w, code, body)
	default:
		if t, err := time.Parse(time.RFC3339Nano, st.Expires); err == nil {
			w.Header().Set("Expires", t.UTC().Format(http.TimeFormat))
		}
		writeJSON(w, http.StatusOK, st.Manifest)
	}
	return nil
}

// exportCancel serves DELETE /fhir/$export-status/<id>: 202; the status is 404 from then on and
// the files are removed (by the job's worker when it runs).
func (s *Server) exportCancel(w http.ResponseWriter, r *http.Request, rt route) error {
	deleted, err := s.q.ExportCancel(r.Context(), s.pool, gen.ExportCancelParams{ID: rt.id, Client: clientArg(r.Context())})
	if err != nil {
		return err
	}
	s.exports.Remove(deleted)
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// exportFile serves GET /fhir/$export-file/<id>/<name>: application/fhir+ndjson, gzip when
// Accept-Encoding asks for it.
func (s *Server) exportFile(w http.ResponseWriter, r *http.Request, rt route) error {
	if err := s.q.ExportFile(r.Context(), s.pool, gen.ExportFileParams{ID: rt.id, Client: clientArg(r.Context()), Name: rt.file}); err != nil {
		return err
	}
	f, err := os.Open(filepath.Join(s.exports.Dir(rt.id), filepath.Base(rt.file)))
	if errors.Is(err, os.ErrNotExist) {
		return errorf(http.StatusNotFound, "export %s has no file %s", rt.id, rt.file)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	compress, err := wantsGzip(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/fhir+ndjson")
	if !compress {
		info, err := f.Stat()
		if err != nil {
			return err
		}
		http.ServeContent(w, r, "", info.ModTime(), f)
		return nil
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Add("Vary", "Accept-Encoding")
	w.WriteHeader(http.StatusOK)
	gz := gzip.NewWriter(w)
	if _, err := io.Copy(gz, f); err != nil {
		panic(http.ErrAbortHandler) // the status is sent: cut the stream short
	}
	if err := gz.Close(); err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}

// StartExportWorkers starts the $export workers (internal/export); they stop when ctx ends.
func (s *Server) StartExportWorkers(ctx context.Context) (wait func()) {
	return s.exports.Start(ctx)
}
