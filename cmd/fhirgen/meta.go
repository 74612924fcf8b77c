package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Element kinds that the format conversion acts on. Everything else passes through.
const (
	kindRef      = "reference" // type Reference: {"reference": "T/id"} <-> {"resourceType": T, "id": id}
	kindChoice   = "choice"    // value[x]: "valueQuantity" <-> "value": {"Quantity": ...}
	kindComplex  = "complex"   // a data type or backbone element that has something to convert inside
	kindResource = "resource"  // a whole resource (contained, Bundle.entry.resource): converted by its own type
)

// element is one element of a type or backbone element as the conversion sees it.
type element struct {
	Name    string   // the JSON key (without [x])
	Kind    string   // one of the kind constants, or "" for elements the conversion leaves alone
	Target  string   // kindComplex: the owner whose function converts the value
	Types   []string // kindChoice: the allowed type codes, in definition order
	Repeats bool     // max is not 0 or 1: the value is an array
}

// owner is a resource type, data type or backbone element (named by its path) with its elements.
type owner struct {
	Name       string
	IsResource bool
	Elements   []element // the elements the conversion acts on
	Keys       []string  // the Aidbox-format JSON keys of all its elements, in definition order
	FHIRKeys   []string  // the same in FHIR format: choice types expanded (valueQuantity, ...)
}

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

// buildOwners turns the definitions into owners holding only the elements the conversion must
// visit: references, choices, resources, and complex elements whose type (transitively) holds
// one of those. Extension and its value[x] are left alone: unknown extensions pass through
// unchanged (docs/formats.md), first-class ones are handled from Attribute rows at run time.
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
			continue // Extension passes through; Reference has its own hand-written conversion
		}
		root := &owner{Name: sd.Type, IsResource: sd.Kind == "resource"}
		all[sd.Type] = root
		for _, el := range sd.Snapshot.Element {
			i := strings.LastIndex(el.Path, ".")
			if i < 0 {
				continue
			}
			parent, name := el.Path[:i], el.Path[i+1:]
			o := all[parent]
			if o == nil {
				o = &owner{Name: parent}
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
				e.Kind, e.Types = kindChoice, codes
			case el.ContentReference != "":
				e.Kind, e.Target = kindComplex, sd.Type+el.ContentReference[strings.Index(el.ContentReference, "."):]
			case len(codes) != 1:
			case codes[0] == "Reference":
				e.Kind = kindRef
			case codes[0] == "Resource":
				e.Kind = kindResource
			case codes[0] == "BackboneElement" || codes[0] == "Element":
				e.Kind, e.Target = kindComplex, el.Path
			case codes[0] == "Extension" || codes[0] == "Meta":
				// Extension: see above. Meta: resource meta is handled by the hand-written code.
			case dataTypes[codes[0]]:
				e.Kind, e.Target = kindComplex, codes[0]
			}
			o.Keys = append(o.Keys, e.Name)
			if e.Kind == kindChoice {
				for _, t := range e.Types {
					o.FHIRKeys = append(o.FHIRKeys, e.Name+cap(t))
					if isPrimitive(t) {
						o.FHIRKeys = append(o.FHIRKeys, "_"+e.Name+cap(t))
					}
				}
			} else {
				o.FHIRKeys = append(o.FHIRKeys, e.Name)
			}
			if e.Kind != kindChoice && len(codes) == 1 && isPrimitive(codes[0]) {
				o.Keys = append(o.Keys, "_"+e.Name) // the primitive's id and extensions
				o.FHIRKeys = append(o.FHIRKeys, "_"+e.Name)
			}
			if e.Kind != "" {
				o.Elements = append(o.Elements, e)
			}
		}
	}
	// Keep complex elements only when their target has something to convert (fixed point).
	for changed := true; changed; {
		changed = false
		for _, o := range all {
			for i := 0; i < len(o.Elements); i++ {
				e := o.Elements[i]
				if e.Kind == kindComplex && !convertible(all[e.Target]) {
					o.Elements = append(o.Elements[:i], o.Elements[i+1:]...)
					i--
					changed = true
				}
			}
		}
	}
	for name, o := range all {
		if !o.IsResource && len(o.Elements) == 0 {
			delete(all, name)
		}
	}
	return all
}

// convertible says whether an owner holds anything to convert. Resources always do (meta).
func convertible(o *owner) bool { return o != nil && (o.IsResource || len(o.Elements) > 0) }

// cap is FHIR's choice suffix of a type code: value + dateTime -> valueDateTime.
func cap(code string) string { return strings.ToUpper(code[:1]) + code[1:] }

// sqlString quotes a string as an SQL literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlArray is a text[] literal of plain names (FHIR names need no escaping inside braces).
func sqlArray(items []string) string { return "'{" + strings.Join(items, ",") + "}'" }

// funcName is the quoted name of an owner's generated function in schema fhir_meta.
func funcName(dir, name string) string {
	prefix := strings.Replace(dir, "_fhir", "", 1) + ":"
	n := prefix + name
	// PostgreSQL names hold 63 bytes: a few deep backbone paths lose letters from their
	// segments after the type, first to last, (MedicationKnowledge.administrationGuidelines.patientCharacteristics becomes
	// MedicationKnowledge.admGui.patientCharacteristics); the comment above keeps the full path.
	segs := strings.Split(name, ".")
	for i := 1; len(n) > 63 && i < len(segs); i++ {
		segs[i] = abbreviate(segs[i])
		n = prefix + strings.Join(segs, ".")
	}
	if len(n) > 63 {
		panic("identifier too long: " + n)
	}
	if p, ok := funcNames[n]; ok && p != name {
		panic("identifier clash: " + n + " for " + p + " and " + name)
	}
	funcNames[n] = name
	return `fhir_meta."` + n + `"`
}

// funcNames maps generated names back to paths, to catch two paths abbreviated alike.
var funcNames = map[string]string{}

// abbreviate keeps the first three letters of each camelCase word: administrationGuidelines ->
// admGui.
func abbreviate(seg string) string {
	var b strings.Builder
	n := 0
	for i, r := range seg {
		if i > 0 && r >= 'A' && r <= 'Z' {
			n = 0
		}
		if n < 3 {
			b.WriteRune(r)
		}
		n++
	}
	return b.String()
}

// fhirKeys lists the FHIR JSON keys of an owner's converted elements (choices expanded).
func fhirKeys(o *owner) (keys []string) {
	for _, e := range o.Elements {
		if e.Kind != kindChoice {
			keys = append(keys, e.Name)
			continue
		}
		for _, t := range e.Types {
			keys = append(keys, e.Name+cap(t))
			if isPrimitive(t) {
				keys = append(keys, "_"+e.Name+cap(t))
			}
		}
	}
	return keys
}

// aidboxKeys lists the Aidbox-format keys of an owner's converted elements.
func aidboxKeys(o *owner) (keys []string) {
	for _, e := range o.Elements {
		keys = append(keys, e.Name)
	}
	return keys
}

// trigger is a jsonpath that is true when a value of the owner (or an array of them) has any
// key that needs converting: arrays of elements are only converted one by one when it matches.
func trigger(keys []string) string {
	var parts []string
	for _, k := range keys {
		parts = append(parts, "exists(@."+strconv.Quote(k)+")")
	}
	return "$ ? (" + strings.Join(parts, " || ") + ")"
}

// describe is the comment line of a generated function: what it converts.
func describe(o *owner) string {
	var parts []string
	for _, e := range o.Elements {
		s := e.Name
		switch e.Kind {
		case kindRef:
			s += " Reference"
		case kindChoice:
			s += "[x] " + strings.Join(e.Types, "|")
		case kindResource:
			s += " Resource"
		case kindComplex:
			s += " " + e.Target
		}
		if e.Repeats {
			s += " *"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "meta only"
	}
	return strings.Join(parts, "; ")
}

// jsonKey is a key as JSON text, the way a generated member starts: "subject": (FHIR names need
// no escaping).
func jsonKey(k string) string { return sqlString(strconv.Quote(k) + ": ") }

// toMemberExpr is the expression giving one member of an owner's FHIR JSON text ("key": value),
// or null when the key is absent. Values with nothing to convert are written as they are
// stored ((p -> key)::text): nothing is rebuilt (see metaSQL).
func toMemberExpr(key string, e *element, all map[string]*owner) string {
	v := "p -> " + sqlString(key)
	member := func(value string) string { return jsonKey(key) + " || " + value }
	if e == nil {
		return member("(" + v + ")::text")
	}
	switch e.Kind {
	case kindRef:
		if e.Repeats {
			return member(funcName("to_fhir[]", "Reference") + "(" + v + ")")
		}
		return member("fhir.ref_to_fhir(" + v + ")")
	case kindResource:
		if e.Repeats {
			return member(funcName("to_fhir[]", "Resource") + "(" + v + ")")
		}
		return member("fhir.resource_to_fhir(" + v + ")")
	case kindChoice:
		// The usual value holds one type: recognise it inline (a call of the general
		// fhir.choice_to_fhir costs more than the whole conversion of a small resource).
		var whens []string
		for _, t := range e.Types {
			val := fmt.Sprintf("(%s -> %s)::text", v, sqlString(t))
			switch {
			case t == "Reference":
				val = fmt.Sprintf("fhir.ref_to_fhir(%s -> %s)", v, sqlString(t))
			case all[t] != nil:
				val = fmt.Sprintf("%s(%s -> %s)", funcName("to_fhir", t), v, sqlString(t))
			}
			whens = append(whens, fmt.Sprintf("when %s ? %s and (%s) - %s = '{}' then %s || %s",
				v, sqlString(t), v, sqlString(t), jsonKey(e.Name+cap(t)), val))
		}
		return fmt.Sprintf("coalesce(case when jsonb_typeof(%s) = 'object' then case\n        %s\n        else fhir.choice_to_fhir(%s, %s, %s) end end,\n      %s)",
			v, strings.Join(whens, "\n        "), sqlString(e.Name), v, sqlArray(e.Types), member("("+v+")::text"))
	}
	if !e.Repeats {
		return member(funcName("to_fhir", e.Target) + "(" + v + ")")
	}
	return member(fmt.Sprintf("case when %s @? %s then %s(%s) else (%s)::text end",
		v, sqlString(trigger(aidboxKeys(all[e.Target]))), funcName("to_fhir[]", e.Target), v, v))
}

// toOwnerSQL writes the to-FHIR function of one owner, and its array form when the owner is
// the type of a repeating element. Each returns the FHIR JSON text of the value: every element
// the definitions know is one member expression (converted, or its stored value as text), and
// keys they do not know (an Aidbox first-class extension, a typo) follow as they are.
func toOwnerSQL(b *strings.Builder, o *owner, all map[string]*owner, arrays bool) {
	elements := map[string]*element{}
	for i := range o.Elements {
		elements[o.Elements[i].Name] = &o.Elements[i]
	}
	var members []string
	known := o.Keys
	if o.IsResource {
		// resourceType, id and meta come first, from p_head or the body (fhir.resource_head)
		members = append(members, "coalesce(p_head, fhir.resource_head(p))")
		known = append([]string{"resourceType"}, known...)
	}
	for _, k := range o.Keys {
		if o.IsResource && (k == "id" || k == "meta") {
			continue
		}
		members = append(members, toMemberExpr(k, elements[k], all))
	}
	ownerFuncSQL(b, "to_fhir", o, members, known, aidboxKeys(o), arrays)
}

// fromMemberExprs gives the members of an owner's Aidbox-format JSON text that the FHIR key
// `key` makes: a plain or converted value, or for the first variant of a choice type the one
// member holding all its variants ("value": {"Quantity": ...}); none for the other variants.
func fromMemberExprs(key string, e *element, all map[string]*owner) []string {
	v := "p -> " + sqlString(key)
	member := func(value string) string { return jsonKey(key) + " || " + value }
	if e == nil {
		return []string{member("(" + v + ")::text")}
	}
	switch e.Kind {
	case kindRef:
		if e.Repeats {
			return []string{member(funcName("from_fhir[]", "Reference") + "(" + v + ")")}
		}
		return []string{member("fhir.ref_from_fhir(" + v + ")")}
	case kindResource:
		if e.Repeats {
			return []string{member(funcName("from_fhir[]", "Resource") + "(" + v + ")")}
		}
		return []string{member("fhir.resource_from_fhir(" + v + ")")}
	case kindChoice:
		if key != e.Name+cap(e.Types[0]) {
			return nil
		}
		var variants, parts []string
		for _, t := range e.Types {
			k := e.Name + cap(t)
			variants = append(variants, k)
			val := "(p -> " + sqlString(k) + ")::text"
			switch {
			case t == "Reference":
				val = "fhir.ref_from_fhir(p -> " + sqlString(k) + ")"
			case all[t] != nil:
				val = funcName("from_fhir", t) + "(p -> " + sqlString(k) + ")"
			}
			parts = append(parts, jsonKey(t)+" || "+val)
			if isPrimitive(t) {
				variants = append(variants, "_"+k)
				parts = append(parts, jsonKey("_"+t)+" || (p -> "+sqlString("_"+k)+")::text")
			}
		}
		return []string{fmt.Sprintf("case when p ?| %s then %s || '{' || concat_ws(', ',\n        %s) || '}' end",
			sqlArray(variants), jsonKey(e.Name), strings.Join(parts, ",\n        "))}
	}
	if !e.Repeats {
		return []string{member(funcName("from_fhir", e.Target) + "(" + v + ")")}
	}
	return []string{member(fmt.Sprintf("case when %s @? %s then %s(%s) else (%s)::text end",
		v, sqlString(trigger(fhirKeys(all[e.Target]))), funcName("from_fhir[]", e.Target), v, v))}
}

// fromOwnerSQL writes the from-FHIR function of one owner, and its array form when the owner
// is the type of a repeating element: toOwnerSQL's reverse, writing the Aidbox-format JSON text
// (a load parses it into the stored jsonb once, rather than rebuilding the parsed FHIR line).
func fromOwnerSQL(b *strings.Builder, o *owner, all map[string]*owner, arrays bool) {
	elements := map[string]*element{}
	for i := range o.Elements {
		e := &o.Elements[i]
		if e.Kind == kindChoice {
			for _, t := range e.Types {
				elements[e.Name+cap(t)] = e
				if isPrimitive(t) {
					elements["_"+e.Name+cap(t)] = e
				}
			}
		} else {
			elements[e.Name] = e
		}
	}
	var members []string
	// The keys written here: the definition's, and a choice type's own name, which FHIR does not
	// have (written by the converted variants, not kept from the input).
	known := append([]string(nil), o.FHIRKeys...)
	for _, e := range o.Elements {
		if e.Kind == kindChoice {
			known = append(known, e.Name)
		}
	}
	if o.IsResource {
		// p_head: the members resourceType, id and meta as the caller wants them, or null
		members = append(members, "p_head")
		known = append([]string{"resourceType"}, known...)
	}
	for _, k := range o.FHIRKeys {
		if o.IsResource && (k == "id" || k == "meta") {
			continue
		}
		members = append(members, fromMemberExprs(k, elements[k], all)...)
	}
	ownerFuncSQL(b, "from_fhir", o, members, known, fhirKeys(o), arrays)
}

// ownerFuncSQL writes an owner's function for one direction (dir: to_fhir or from_fhir), which
// writes the JSON text of its members followed by the keys not in known as they are, and its
// array form when arrays. convertKeys are the keys that hold something to convert.
func ownerFuncSQL(b *strings.Builder, dir string, o *owner, members, known, convertKeys []string, arrays bool) {
	what := map[string]string{"to_fhir": "to FHIR", "from_fhir": "from FHIR"}[dir]
	members = append(members, fmt.Sprintf("fhir.members(p - %s::text[])", sqlArray(known)))
	body := "'{' || concat_ws(', ',\n      " + strings.Join(members, ",\n      ") + ") || '}'"
	fmt.Fprintf(b, "\n-- %s %s: %s\n", o.Name, what, describe(o))
	if o.IsResource {
		// Resources also take p_head: the members resourceType, id and meta as the caller wants
		// them (already written by the row helpers, say), or null.
		fmt.Fprintf(b, "create function %s(p jsonb, p_head text) returns text\nlanguage plpgsql stable parallel safe as $$\nbegin\n", funcName(dir, o.Name))
		// A stored body over ~2 kB is compressed; `|| '{}'` hands back the decompressed
		// value, so the many `p -> key` below do not each decompress it again.
		b.WriteString("  p := p || '{}';\n")
		fmt.Fprintf(b, "  return %s;\nend $$;\n", body)
	} else {
		// SQL, so that PostgreSQL inlines it into its caller's expression: a PL/pgSQL call
		// costs more than converting a small element (p is then the caller's `parent -> key`,
		// extracted again at each use, which is cheap). Not strict: a strict function whose
		// body is a case is not inlined; null gives null all the same. A string body, not
		// `return`: it is parsed at its first use, once 005 and the functions it calls exist.
		fmt.Fprintf(b, "create function %s(p jsonb) returns text\nlanguage sql stable parallel safe as $$\n", funcName(dir, o.Name))
		fmt.Fprintf(b, "select case when jsonb_typeof(p) is distinct from 'object' or not p ?| %s then p::text\n  else %s end\n$$;\n", sqlArray(convertKeys), body)
	}
	if arrays {
		// An element with nothing to convert is written without the call (which costs more).
		arraySQL(b, what, o.Name, funcName(dir+"[]", o.Name), funcName(dir, o.Name), convertKeys)
	}
}

// arraySQL writes the function converting an array of an owner's values: a loop calling the
// owner's function (fn, inlined) on each element that has one of keys to convert. PL/pgSQL: a
// subquery over jsonb_array_elements would be planned again on every call.
func arraySQL(b *strings.Builder, what, owner, name, fn string, keys []string) {
	fmt.Fprintf(b, `
-- An array of %[1]s %[2]s; a value that is not an array is written as it is.
create function %[3]s(p jsonb) returns text
language plpgsql stable strict parallel safe as $$
declare
  v_items text[] := '{}';
  v_item  jsonb;
begin
  if jsonb_typeof(p) is distinct from 'array' then
    return p::text;
  end if;
  for i in 0 .. jsonb_array_length(p) - 1 loop
    -- a variable: the element function, inlined, reads it at each use without copying it out
    -- of the array again
    v_item := p -> i;
    v_items := array_append(v_items, case when v_item ?| %[5]s then %[4]s(v_item) else v_item::text end);
  end loop;
  return '[' || array_to_string(v_items, ', ') || ']';
end $$;
`, owner, what, name, fn, sqlArray(keys))
}

// dispatch writes a function that calls the per-type function named by p_type with a binary
// search over the sorted names (a flat case would compare up to 146 strings per call).
func dispatch(b *strings.Builder, names []string, call func(name string) string, fallback string, depth int) {
	ind := strings.Repeat("  ", depth+1)
	if len(names) <= 6 {
		fmt.Fprintf(b, "%scase p_type\n", ind)
		for _, n := range names {
			fmt.Fprintf(b, "%s  when %s then %s\n", ind, sqlString(n), call(n))
		}
		fmt.Fprintf(b, "%s  else %s\n%send", ind, fallback, ind)
		return
	}
	mid := len(names) / 2
	fmt.Fprintf(b, "%scase when p_type < %s collate \"C\" then\n", ind, sqlString(names[mid]))
	dispatch(b, names[:mid], call, fallback, depth+1)
	fmt.Fprintf(b, "\n%selse\n", ind)
	dispatch(b, names[mid:], call, fallback, depth+1)
	fmt.Fprintf(b, "\n%send", ind)
}

// metaSQL is the whole of 004_fhir_meta.sql after its header.
func metaSQL(all map[string]*owner) string {
	var b strings.Builder
	b.WriteString(`
-- The element metadata of the FHIR <-> Aidbox format conversion (docs/formats.md), compiled into one pair
-- of functions per resource type, data type and backbone element that holds something to
-- convert: fhir_meta."to:<path>" (to FHIR) and fhir_meta."from:<path>" (from FHIR). Generated
-- code avoids the per-key loop of a generic walker, which costs several times more (see
-- docs/performance.md). The helpers they call (fhir.ref_to_fhir, fhir.choice_to_fhir, ...) and the
-- public functions are in 005_fhir.sql.
--
-- To FHIR, the functions write the FHIR JSON text: one member expression per element of the
-- definition, '"key": ' || the converted value, or the stored value as text when there is
-- nothing to convert (a sub-document of a jsonb is copied, not rebuilt), and the keys the
-- definition does not know after them as they are. Any jsonb rebuild re-serialises every node
-- below it, and a dump has to write the text anyway: written this way, a resource costs little
-- more than printing it. From FHIR, the same way: a load parses the Aidbox-format text into the
-- stored jsonb once, where rebuilding the parsed FHIR line would cost several passes.
--
-- The same metadata as a table, for people and tools: fhir_meta.element.
--
-- Most functions are PL/pgSQL with one simple expression each; the to-FHIR functions of data
-- types and backbone elements are SQL, which PostgreSQL inlines into their callers (see
-- cmd/fhirgen for why). They refer to each other recursively (Identifier.assigner is a Reference
-- whose identifier is an Identifier) and to 005's helpers, so checking bodies at creation is off
-- for this file.

set check_function_bodies = off;

create schema fhir_meta;

create table fhir_meta.element (
  owner   text not null,    -- resource type, data type, or backbone element path
  name    text not null,    -- the element's JSON name (without [x])
  kind    text not null check (kind in ('reference', 'choice', 'complex', 'resource')),
  target  text,             -- complex: the owner of the element's type
  types   text[],           -- choice: the allowed type codes
  repeats boolean not null, -- the value is an array
  primary key (owner, name)
);

insert into fhir_meta.element (owner, name, kind, target, types, repeats) values
`)
	var names, resources []string
	for n, o := range all {
		names = append(names, n)
		if o.IsResource {
			resources = append(resources, n)
		}
	}
	sort.Strings(names)
	sort.Strings(resources)
	var rows []string
	for _, n := range names {
		for _, e := range all[n].Elements {
			target, types := "null", "null"
			if e.Target != "" {
				target = sqlString(e.Target)
			}
			if e.Types != nil {
				types = sqlArray(e.Types)
			}
			rows = append(rows, fmt.Sprintf("  (%s, %s, %s, %s, %s, %t)", sqlString(n), sqlString(e.Name), sqlString(e.Kind), target, types, e.Repeats))
		}
	}
	b.WriteString(strings.Join(rows, ",\n") + ";\n")

	arrays := map[string]bool{}
	for _, o := range all {
		for _, e := range o.Elements {
			if e.Kind == kindComplex && e.Repeats {
				arrays[e.Target] = true
			}
		}
	}
	// PL/pgSQL functions whose work is one "simple expression" (no subquery): PostgreSQL plans it
	// once per session and then evaluates it directly, and calls between them are plain function
	// calls (nested SQL-language functions that cannot be inlined are re-planned on every call of
	// their caller: far slower; those that can, toOwnerSQL's, cost no call at all). Strict where
	// they can be: an absent element costs no call. Stable,
	// not immutable: they build values with functions PostgreSQL marks stable (jsonb_build_object,
	// to_jsonb), and resources read the createdAt URL setting.
	for _, n := range names {
		toOwnerSQL(&b, all[n], all, arrays[n])
		fromOwnerSQL(&b, all[n], all, arrays[n])
	}

	// Arrays of references and of resources, converted by the hand-written functions of 005.
	arraySQL(&b, "to FHIR", "Reference", funcName("to_fhir[]", "Reference"), "fhir.ref_to_fhir", []string{"resourceType", "id", "uri", "localRef", "identifier"})
	arraySQL(&b, "from FHIR", "Reference", funcName("from_fhir[]", "Reference"), "fhir.ref_from_fhir", []string{"reference", "identifier"})
	arraySQL(&b, "to FHIR", "Resource", funcName("to_fhir[]", "Resource"), "fhir.resource_to_fhir", []string{"resourceType"})
	arraySQL(&b, "from FHIR", "Resource", funcName("from_fhir[]", "Resource"), "fhir.resource_from_fhir", []string{"resourceType"})

	// Two copies of each dispatcher: one for the top-level resource, one for the resources nested
	// in it (contained, Bundle.entry.resource). PL/pgSQL evaluates a function's expression the
	// fast way only when it is not already in use: a contained resource converted through the
	// dispatcher that is converting its container would take the slow path (a new executor for
	// the whole case tree: about 100 us per contained resource of an ExplanationOfBenefit).
	for _, d := range []struct{ name, args, head, what string }{
		{"resource", "p_type text, p jsonb, p_head text", "p_head", "A resource"},
		{"nested", "p_type text, p jsonb", "null", "A resource nested in another one (fhir.resource_to_fhir)"},
	} {
		head := d.head
		fmt.Fprintf(&b, `
-- %s of type p_type as FHIR JSON text (resource types without definitions: meta only).
create function fhir_meta.%s_to_fhir(%s) returns text
language plpgsql stable parallel safe as $$
begin
  return
`, d.what, d.name, d.args)
		dispatch(&b, resources, func(n string) string { return funcName("to_fhir", n) + "(p, " + head + ")" },
			"'{' || concat_ws(', ', coalesce("+head+", fhir.resource_head(p)), fhir.members(p - '{resourceType,id,meta}'::text[])) || '}'", 1)
		b.WriteString(";\nend $$;\n")
	}
	for _, d := range []struct{ name, args, head, what string }{
		{"resource", "p_type text, p jsonb, p_head text", "p_head", "A resource"},
		{"nested", "p_type text, p jsonb", "fhir.resource_head_from_fhir(p)", "A resource nested in another one (fhir.resource_from_fhir)"},
	} {
		fmt.Fprintf(&b, `
-- %s of type p_type from FHIR format, as Aidbox-format JSON text (resource types without
-- definitions: meta only).
create function fhir_meta.%s_from_fhir(%s) returns text
language plpgsql stable parallel safe as $$
begin
  return
`, d.what, d.name, d.args)
		head := d.head
		dispatch(&b, resources, func(n string) string { return funcName("from_fhir", n) + "(p, " + head + ")" },
			"'{' || concat_ws(', ', "+head+", fhir.members(p - '{resourceType,id,meta}'::text[])) || '}'", 1)
		b.WriteString(";\nend $$;\n")
	}
	var dts []string
	for _, n := range names {
		if !all[n].IsResource && !strings.Contains(n, ".") {
			dts = append(dts, n)
		}
	}
	fmt.Fprintf(&b, `
-- A value of data type p_type (a choice type's value) as FHIR JSON text: references and the
-- data types that hold something to convert; anything else is written as it is.
create function fhir_meta.type_to_fhir(p_type text, p jsonb) returns text
language plpgsql stable strict parallel safe as $$
begin
  return case p_type
    when 'Reference' then fhir.ref_to_fhir(p)
`)
	for _, n := range dts {
		fmt.Fprintf(&b, "    when %s then %s(p)\n", sqlString(n), funcName("to_fhir", n))
	}
	b.WriteString("    else p::text end;\nend $$;\n")
	fmt.Fprintf(&b, `
-- A value of data type p_type (a choice type's value) from FHIR format, as JSON text:
-- references and the data types that hold something to convert; anything else as it is.
create function fhir_meta.type_from_fhir(p_type text, p jsonb) returns text
language plpgsql stable strict parallel safe as $$
begin
  return case p_type
    when 'Reference' then fhir.ref_from_fhir(p)
`)
	for _, n := range dts {
		fmt.Fprintf(&b, "    when %s then %s(p)\n", sqlString(n), funcName("from_fhir", n))
	}
	b.WriteString("    else p::text end;\nend $$;\n")
	b.WriteString("\nreset check_function_bodies;\n")
	return b.String()
}
