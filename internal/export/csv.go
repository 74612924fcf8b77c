package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sluice-fhir/sluice/gen"
)

// CSV streams the resources of resourceType as RFC 4180 CSV (LF line ends, as PostgreSQL writes CSV),
// a header of the sorted dotted paths of every leaf of the stored Aidbox-format bodies plus id
// and resourceType, then one line per resource, a missing value an empty field.
//
// The header must be known before the first row, and ExplanationOfBenefit alone has over a
// thousand paths (PostgreSQL allows 1664 columns): sluice.dump_csv_paths finds them in SQL in
// one pass; then the rows stream as (id, resource) JSON text, in the same snapshot, and each
// line is laid out here against the header. Memory: the header and one row.
//
// open is called once the type is known to exist, before the first byte, and returns where the
// CSV goes: an unknown type fails (404) with nothing opened.
func CSV(ctx context.Context, pool *pgxpool.Pool, q *gen.Queries, resourceType string, open func() io.Writer) error {
	return Tx(ctx, pool, func(tx pgx.Tx) error {
		table, err := q.DumpTable(ctx, tx, resourceType)
		if err != nil {
			return err // 404 for an unknown type: nothing is sent yet
		}
		paths, err := q.DumpCSVPaths(ctx, tx, resourceType)
		if err != nil {
			return err
		}
		// Byte order, whatever the database's collation.
		slices.Sort(paths)
		rows, err := newCSVRows(open(), resourceType, paths)
		if err != nil {
			return err
		}
		// A tab between the two values: neither JSON text holds a raw one.
		sql := "copy (select to_json(t.id)::text || e'\\t' || sluice.public_body(t.resource_type, t.resource)::text from " +
			pgx.Identifier{"public", table}.Sanitize() + " as t where t.status <> 'deleted')" + CopyJSONLines
		if _, err := tx.Conn().PgConn().CopyTo(ctx, &lineWriter{fn: rows.row}, sql); err != nil {
			return err
		}
		return rows.end()
	})
}

// csvRows lays resources out as CSV lines under a fixed header.
type csvRows struct {
	w            *csv.Writer
	resourceType string
	column       map[string]int // header path -> field index
	idColumn     int
	typeColumn   int
	record       []string // reused for every line
	leaves       []leaf   // reused for every line
	path         []byte   // reused while walking a resource
}

// leaf is one value of a resource: its dotted path and its CSV text.
type leaf struct {
	path  string
	value string
}

// newCSVRows writes the header line.
func newCSVRows(w io.Writer, resourceType string, header []string) (*csvRows, error) {
	c := &csvRows{
		w:            csv.NewWriter(w),
		resourceType: resourceType,
		column:       make(map[string]int, len(header)),
		record:       make([]string, len(header)),
	}
	for i, p := range header {
		c.column[p] = i
	}
	c.idColumn, c.typeColumn = c.column["id"], c.column["resourceType"]
	return c, c.w.Write(header)
}

// row writes the line of one COPY row: the id as a JSON string, a tab, the resource as JSON.
func (c *csvRows) row(line []byte) error {
	tab := bytes.IndexByte(line, '\t')
	if tab < 0 {
		return fmt.Errorf("$dump-csv: a row without its tab: %.80q", line)
	}
	var id string
	if err := json.Unmarshal(line[:tab], &id); err != nil {
		return fmt.Errorf("$dump-csv: the id of a row: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(line[tab+1:]))
	dec.UseNumber() // numbers as PostgreSQL wrote them
	var resource any
	if err := dec.Decode(&resource); err != nil {
		return fmt.Errorf("$dump-csv: the resource %s: %w", id, err)
	}
	clear(c.record)
	c.leaves = c.leaves[:0]
	c.path = c.path[:0]
	c.walk(resource, true)
	for _, l := range c.leaves {
		// A path outside the header cannot happen within one snapshot; it would be dropped.
		if i, ok := c.column[l.path]; ok {
			c.record[i] = l.value
		}
	}
	c.record[c.idColumn] = id
	c.record[c.typeColumn] = c.resourceType
	return c.w.Write(c.record)
}

// walk collects the leaves of v as sluice.json_leaf_paths does: strings, numbers and booleans,
// keys and array indices (from 0) joined by dots; nulls and empty containers are no leaves.
func (c *csvRows) walk(v any, root bool) {
	mark := len(c.path)
	step := func(key string) {
		c.path = c.path[:mark]
		if !root {
			c.path = append(c.path, '.')
		}
		c.path = append(c.path, key...)
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			step(k)
			c.walk(e, false)
		}
	case []any:
		for i, e := range x {
			step(strconv.Itoa(i))
			c.walk(e, false)
		}
	case string:
		c.leaves = append(c.leaves, leaf{string(c.path), x})
	case json.Number:
		c.leaves = append(c.leaves, leaf{string(c.path), x.String()})
	case bool:
		c.leaves = append(c.leaves, leaf{string(c.path), strconv.FormatBool(x)})
	}
	c.path = c.path[:mark]
}

// end flushes the CSV writer's own buffer into the stream.
func (c *csvRows) end() error {
	c.w.Flush()
	return c.w.Error()
}
