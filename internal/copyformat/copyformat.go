// Package copyformat is the one COPY format sluice moves JSON text in, both ways: exports
// (COPY ... TO STDOUT) and the load stager (COPY ... FROM STDIN). It is CSV with a quote and a
// delimiter that are control characters, which JSON text never holds raw (it escapes them), so
// no JSON value is ever quoted or escaped and each line passes byte for byte. The text format
// would double every backslash.
package copyformat

const (
	// Quote is CSV's quote character, never used by a JSON line.
	Quote byte = 0x01
	// Delimiter separates the columns of a row.
	Delimiter byte = 0x02
	// Options is the WITH (...) list of a COPY in this format; it must name Quote and Delimiter.
	Options = `format csv, quote e'\x01', delimiter e'\x02'`
)
