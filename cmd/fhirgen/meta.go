package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// fullDefinition is the part of a StructureDefinition the metadata needs.
type fullDefinition struct {
	structureDefinition
	Type     string `json:"type"`
	Snapshot struct {
		Element []struct {
			Path             string `json:"path"`
			Max              string `json:"max"`
			ContentReference string `json:"contentReference"`
			Type             []struct {
				Code string `json:"code"`
			} `json:"type"`
		} `json:"element"`
	} `json:"snapshot"`
}

// readFullDefinitions returns the concrete R4 specialisations (resources and complex data
// types) of a definitions bundle, snapshots included. The package also carries a few
// definitions from later FHIR versions (e.g. SubscriptionStatus from 4.3.0): those are left out.
func readFullDefinitions(path string) ([]fullDefinition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var b bundle
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var defs []fullDefinition
	for _, e := range b.Entry {
		var head structureDefinition
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if head.ResourceType != "StructureDefinition" || head.Derivation != "specialization" || head.Abstract ||
			head.FHIRVersion != "4.0.1" || head.URL != "http://hl7.org/fhir/StructureDefinition/"+head.Name {
			continue
		}
		var sd fullDefinition
		if err := json.Unmarshal(e.Resource, &sd); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if sd.Kind == "resource" || sd.Kind == "complex-type" {
			defs = append(defs, sd)
		}
	}
	return defs, nil
}

// isPrimitive tells FHIR primitive type codes (lower case: string, dateTime, ...) from complex
// ones; only primitives have the `_name` sibling for their id and extensions.
func isPrimitive(code string) bool { return code != "" && code[0] >= 'a' && code[0] <= 'z' }

// owner is a resource type, data type or backbone element (named by its path).
type owner struct {
	Name     string
	Kind     string // resource, datatype or backbone
	Elements []element
}

// element is one element of an owner, in definition order, as the conversion sees it.
type element struct {
	Name      string   // the JSON key (without [x])
	Kind      string   // reference, choice, complex, resource, or "" (passes through)
	Target    string   // complex: the owner that converts the value
	Types     []string // choice: the allowed type codes, in definition order
	Repeats   bool     // max is not 0 or 1: the value is an array
	Primitive bool     // not a choice, and of one primitive type: it has a `_name` sibling
}

// buildOwners turns the definitions into owners and their elements, all of them: which ones
// hold something to convert is decided by fhir_meta.compile() (000005) from these rows.
// Extension and Reference are left out: unknown extensions pass through unchanged
// (docs/formats.md), first-class ones are handled from Attribute rows at run time, and
// Reference has its own hand-written conversion. Meta is converted by hand-written code too.
func buildOwners(defs []fullDefinition) map[string]*owner {
	all := map[string]*owner{}
	dataTypes := map[string]bool{}
	for _, sd := range defs {
		if sd.Kind == "complex-type" {
			dataTypes[sd.Type] = true
		}
	}
	for _, sd := range defs {
		if sd.Type == "Extension" || sd.Type == "Reference" {
			continue
		}
		kind := "datatype"
		if sd.Kind == "resource" {
			kind = "resource"
		}
		all[sd.Type] = &owner{Name: sd.Type, Kind: kind}
		for _, el := range sd.Snapshot.Element {
			i := strings.LastIndex(el.Path, ".")
			if i < 0 {
				continue
			}
			parent, name := el.Path[:i], el.Path[i+1:]
			o := all[parent]
			if o == nil {
				o = &owner{Name: parent, Kind: "backbone"}
				all[parent] = o
			}
			e := element{Name: name, Repeats: el.Max != "0" && el.Max != "1"}
			var codes []string
			for _, t := range el.Type {
				codes = append(codes, t.Code)
			}
			switch {
			case strings.HasSuffix(name, "[x]"):
				e.Name = strings.TrimSuffix(name, "[x]")
				e.Kind, e.Types = "choice", codes
			case el.ContentReference != "":
				e.Kind, e.Target = "complex", sd.Type+el.ContentReference[strings.Index(el.ContentReference, "."):]
			case len(codes) != 1:
			case codes[0] == "Reference":
				e.Kind = "reference"
			case codes[0] == "Resource":
				e.Kind = "resource"
			case codes[0] == "BackboneElement" || codes[0] == "Element":
				e.Kind, e.Target = "complex", el.Path
			case codes[0] == "Extension" || codes[0] == "Meta":
			case dataTypes[codes[0]]:
				e.Kind, e.Target = "complex", codes[0]
			}
			e.Primitive = e.Kind != "choice" && len(codes) == 1 && isPrimitive(codes[0])
			o.Elements = append(o.Elements, e)
		}
	}
	return all
}

// sqlString quotes a string as an SQL literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlOrNull is sqlString, or null for "".
func sqlOrNull(s string) string {
	if s == "" {
		return "null"
	}
	return sqlString(s)
}

// metaSQL is the whole of 000004_fhir_meta.up.sql after its header: the tables and their rows.
func metaSQL(all map[string]*owner) string {
	var b strings.Builder
	b.WriteString(`
-- The element metadata of the FHIR <-> Aidbox format conversion (docs/formats.md): every
-- resource type, data type and backbone element of the definitions, and every element of each
-- in definition order. fhir_meta.compile() (000005) makes the conversion functions from these
-- rows; after changing rows, ` + "`select fhir_meta.compile()`" + ` makes the functions agree again.

create schema fhir_meta;

create table fhir_meta.owner (
  name text primary key, -- resource type, data type, or backbone element path (Patient.contact)
  kind text not null check (kind in ('resource', 'datatype', 'backbone'))
);

create table fhir_meta.element (
  owner     text not null references fhir_meta.owner on delete cascade,
  position  int not null,      -- definition order within the owner
  name      text not null,     -- the element's JSON name (without [x])
  kind      text check (kind in ('reference', 'choice', 'complex', 'resource')), -- null: passes through
  target    text,              -- complex: the owner of the element's type
  types     text[],            -- choice: the allowed type codes, in definition order
  repeats   boolean not null,  -- the value is an array
  primitive boolean not null,  -- one primitive type (not a choice): has a _name sibling
  primary key (owner, position),
  unique (owner, name)
);

`)
	var names []string
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	var rows []string
	for _, n := range names {
		rows = append(rows, fmt.Sprintf("  (%s, %s)", sqlString(n), sqlString(all[n].Kind)))
	}
	b.WriteString("insert into fhir_meta.owner (name, kind) values\n" + strings.Join(rows, ",\n") + ";\n\n")
	rows = rows[:0]
	for _, n := range names {
		for i, e := range all[n].Elements {
			types := "null"
			if e.Types != nil {
				types = "'{" + strings.Join(e.Types, ",") + "}'"
			}
			rows = append(rows, fmt.Sprintf("  (%s, %d, %s, %s, %s, %s, %t, %t)", sqlString(n), i+1, sqlString(e.Name),
				sqlOrNull(e.Kind), sqlOrNull(e.Target), types, e.Repeats, e.Primitive))
		}
	}
	b.WriteString("insert into fhir_meta.element (owner, position, name, kind, target, types, repeats, primitive) values\n" +
		strings.Join(rows, ",\n") + ";\n")
	return b.String()
}
