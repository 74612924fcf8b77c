package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The Patient compartment (HL7's CompartmentDefinition "patient", whose params name search
// parameters) as the element paths of the stored (Aidbox-format) body that hold a reference to
// the patient. The search parameters' FHIRPath expressions are reduced to the paths they walk:
// `Observation.subject.where(resolve() is Patient)` is subject (the resourceType of the
// reference is checked where the rows are used), `X.value as Reference` is value.Reference
// (Aidbox stores a choice under its type's name).

// compartmentRow is one path of one type's membership in the Patient compartment.
type compartmentRow struct {
	ResourceType, Param, Path string
}

// patientCompartment reads compartmentdefinition-patient.json and search-parameters.json of defs.
func patientCompartment(defs string) ([]compartmentRow, error) {
	var def struct {
		Code     string `json:"code"`
		Resource []struct {
			Code  string   `json:"code"`
			Param []string `json:"param"`
		} `json:"resource"`
	}
	if err := readJSON(filepath.Join(defs, "compartmentdefinition-patient.json"), &def); err != nil {
		return nil, err
	}
	if def.Code != "Patient" {
		return nil, fmt.Errorf("compartmentdefinition-patient.json is the %q compartment, not Patient's", def.Code)
	}
	var params struct {
		Entry []struct {
			Resource struct {
				Code       string   `json:"code"`
				Base       []string `json:"base"`
				Expression string   `json:"expression"`
			} `json:"resource"`
		} `json:"entry"`
	}
	if err := readJSON(filepath.Join(defs, "search-parameters.json"), &params); err != nil {
		return nil, err
	}
	expressions := map[[2]string]string{}
	for _, e := range params.Entry {
		for _, base := range e.Resource.Base {
			expressions[[2]string{base, e.Resource.Code}] = e.Resource.Expression
		}
	}
	var rows []compartmentRow
	for _, r := range def.Resource {
		for _, p := range r.Param {
			expr, ok := expressions[[2]string{r.Code, p}]
			if !ok {
				return nil, fmt.Errorf("compartment parameter %s.%s has no search parameter", r.Code, p)
			}
			paths := expressionPaths(r.Code, expr)
			if len(paths) == 0 {
				return nil, fmt.Errorf("compartment parameter %s.%s: no path in %q", r.Code, p, expr)
			}
			for _, path := range paths {
				rows = append(rows, compartmentRow{r.Code, p, path})
			}
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		return a.ResourceType+"\x00"+a.Param+"\x00"+a.Path < b.ResourceType+"\x00"+b.Param+"\x00"+b.Path
	})
	return rows, nil
}

// expressionPaths are the dotted element paths of resourceType that a search parameter's
// expression walks (its other types' alternatives are dropped: shared parameters list them all).
func expressionPaths(resourceType, expr string) []string {
	var paths []string
	seen := map[string]bool{}
	for _, alt := range strings.Split(expr, "|") {
		alt = strings.TrimSpace(alt)
		alt = strings.TrimSuffix(strings.TrimPrefix(alt, "("), ")")
		rest, ok := strings.CutPrefix(alt, resourceType+".")
		if !ok {
			continue
		}
		rest, _, _ = strings.Cut(rest, ".where(")
		if base, typ, ok := strings.Cut(rest, " as "); ok {
			rest = strings.TrimSpace(base) + "." + strings.TrimSpace(typ)
		}
		if rest == "" || strings.ContainsAny(rest, "()[] ") || seen[rest] {
			continue
		}
		seen[rest] = true
		paths = append(paths, rest)
	}
	return paths
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// compartmentSQL is the table of the Patient compartment and its rows (part of 000004).
func compartmentSQL(rows []compartmentRow) string {
	var b strings.Builder
	b.WriteString(`
-- The Patient compartment (HL7 CompartmentDefinition "patient" and the search parameters it
-- names): a resource of resource_type is in Patient/<id>'s compartment when the reference at
-- one of its paths (dotted element names of the stored body; arrays on the way are walked)
-- is Patient/<id>; a Patient is in its own. sluice.patient_compartment (000009) uses them.
create table fhir_meta.patient_compartment (
  resource_type text not null,
  param         text not null, -- the search parameter of the definition
  path          text not null,
  primary key (resource_type, param, path)
);

`)
	var values []string
	for _, r := range rows {
		values = append(values, fmt.Sprintf("  (%s, %s, %s)", sqlString(r.ResourceType), sqlString(r.Param), sqlString(r.Path)))
	}
	b.WriteString("insert into fhir_meta.patient_compartment (resource_type, param, path) values\n" + strings.Join(values, ",\n") + ";\n")
	return b.String()
}
