package proxy

import "net/http"

// load serves POST /[fhir/][<type>/]$load (SPEC.md section 6).
func (s *Server) load(w http.ResponseWriter, r *http.Request, rt route) error {
	return errorf(http.StatusNotImplemented, "$load is not implemented yet")
}

// importStart serves POST /[fhir/]$import.
func (s *Server) importStart(w http.ResponseWriter, r *http.Request, rt route) error {
	return errorf(http.StatusNotImplemented, "$import is not implemented yet")
}

// importStatus serves GET /BulkImportStatus/<id>.
func (s *Server) importStatus(w http.ResponseWriter, r *http.Request, rt route) error {
	return errorf(http.StatusNotImplemented, "BulkImportStatus is not implemented yet")
}

// importCancel serves DELETE /BulkImportStatus/<id>.
func (s *Server) importCancel(w http.ResponseWriter, r *http.Request, rt route) error {
	return errorf(http.StatusNotImplemented, "BulkImportStatus is not implemented yet")
}
