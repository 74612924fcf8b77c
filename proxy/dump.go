package proxy

import "net/http"

// dump serves GET /[fhir/]<type>/$dump (SPEC.md section 5).
func (s *Server) dump(w http.ResponseWriter, r *http.Request, rt route) error {
	return errorf(http.StatusNotImplemented, "$dump is not implemented yet")
}

// dumpCSV serves GET /<type>/$dump-csv.
func (s *Server) dumpCSV(w http.ResponseWriter, r *http.Request, rt route) error {
	return errorf(http.StatusNotImplemented, "$dump-csv is not implemented yet")
}

// dumpSQL serves POST /$dump-sql.
func (s *Server) dumpSQL(w http.ResponseWriter, r *http.Request, rt route) error {
	return errorf(http.StatusNotImplemented, "$dump-sql is not implemented yet")
}
