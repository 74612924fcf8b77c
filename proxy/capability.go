package proxy

import "net/http"

// capabilities serves GET /fhir/metadata, the CapabilityStatement (fhir.capability_statement
// builds it from the registered types), to anyone: policy.public_request lets it through
// without credentials.
func (s *Server) capabilities(w http.ResponseWriter, r *http.Request, rt route) error {
	statement, err := s.q.CapabilityStatement(r.Context(), s.pool, requestBase(r, rt))
	if err != nil {
		return err
	}
	writeResource(w, rt, http.StatusOK, statement)
	return nil
}
