package proxy

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sluice-fhir/sluice/internal/oauth"
)

// tokenMaxBody bounds a token request's body: a few form fields and one JWT.
const tokenMaxBody = 64 << 10

// smartConfigurationPaths are where discovery is served, with no credentials: under the FHIR
// base /fhir, and under / for the Aidbox-format endpoints.
var smartConfigurationPaths = map[string]bool{
	"/fhir/.well-known/smart-configuration": true,
	"/.well-known/smart-configuration":      true,
}

// baseURL is the URL clients reach this server at: SLUICE_BASE_URL, else the request's own.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// smartConfiguration answers GET .well-known/smart-configuration (oauth.Discovery).
func (s *Server) smartConfiguration(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		writeError(w, r, errorf(http.StatusMethodNotAllowed, "%s is not supported on %s", r.Method, r.URL.Path))
		return
	}
	body, err := json.Marshal(oauth.Discovery(s.baseURL(r)))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSONOnly(w, http.StatusOK, body)
}

// token answers POST /auth/token: the client_credentials grant (internal/oauth), as OAuth2
// JSON, a token or an error.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeOAuthError(w, r, oauth.InvalidRequest("the token endpoint takes POST only"))
		return
	}
	token, err := s.issueToken(r)
	if err != nil {
		writeOAuthError(w, r, err)
		return
	}
	body, err := json.Marshal(token)
	if err != nil {
		writeOAuthError(w, r, err)
		return
	}
	// RFC 6749 section 5.1: a token answer is never cached.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSONOnly(w, http.StatusOK, body)
}

// issueToken reads a token request and has it granted or refused.
func (s *Server) issueToken(r *http.Request) (oauth.Token, error) {
	params, err := tokenParams(r)
	if err != nil {
		return oauth.Token{}, err
	}
	switch grant := params["grant_type"]; grant {
	case oauth.GrantClientCredentials:
	case "":
		return oauth.Token{}, oauth.InvalidRequest("grant_type is missing")
	default:
		return oauth.Token{}, oauth.UnsupportedGrantType(grant)
	}
	basicID, basicSecret, hasBasic := r.BasicAuth()
	if hasBasic && (!storableText(basicID) || !storableText(basicSecret)) {
		return oauth.Token{}, oauth.InvalidClient("wrong client id or secret")
	}
	scope := params["scope"]
	switch {
	case params["client_assertion_type"] != "" || params["client_assertion"] != "":
		if hasBasic || params["client_secret"] != "" {
			return oauth.Token{}, oauth.InvalidRequest("use one way of client authentication: a client_assertion or a secret")
		}
		if params["client_assertion_type"] != oauth.AssertionType {
			return oauth.Token{}, oauth.InvalidClient("client_assertion_type must be %s", oauth.AssertionType)
		}
		if params["client_assertion"] == "" {
			return oauth.Token{}, oauth.InvalidClient("client_assertion is missing")
		}
		return s.tokens.ByAssertion(r.Context(), params["client_assertion"], params["client_id"], scope, s.baseURL(r)+oauth.TokenPath)
	case hasBasic:
		if params["client_secret"] != "" {
			return oauth.Token{}, oauth.InvalidRequest("use one way of client authentication: the Authorization header or client_secret")
		}
		return s.tokenBySecret(r, basicID, basicSecret, scope)
	case params["client_id"] != "" && params["client_secret"] != "":
		return s.tokenBySecret(r, params["client_id"], params["client_secret"], scope)
	default:
		return oauth.Token{}, oauth.InvalidClient("no client authentication: send client_secret_basic, client_id and client_secret, or a client_assertion")
	}
}

// tokenBySecret is the secret grant, under the same failure backoff as HTTP Basic (one client
// id from one address), so that the token endpoint is no way around it.
func (s *Server) tokenBySecret(r *http.Request, clientID, secret, scope string) (oauth.Token, error) {
	attempt := failureKey{clientID: clientID, addr: remoteHost(r)}
	if wait := s.auth.blocked(attempt); wait > 0 {
		e := oauth.InvalidClient("too many failed authentications of client %s from this address: retry after the Retry-After seconds", clientID)
		e.Status, e.RetryAfter = http.StatusTooManyRequests, wait
		return oauth.Token{}, e
	}
	token, err := s.tokens.BySecret(r.Context(), clientID, secret, scope)
	var oe *oauth.Error
	switch {
	case errors.As(err, &oe) && oe.Code == "invalid_client":
		s.auth.failed(attempt)
	case err == nil || oe != nil:
		s.auth.succeeded(attempt) // the secret was right (invalid_grant, invalid_scope: no guess)
	}
	return token, err
}

// tokenParams are the parameters of a token request: form-encoded (RFC 6749) or a JSON object
// of strings (as Aidbox accepts). A parameter given twice, a body over tokenMaxBody or text
// PostgreSQL cannot take is invalid_request.
func tokenParams(r *http.Request) (map[string]string, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		mediaType = ""
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, tokenMaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, oauth.InvalidRequest("the body is larger than %d bytes", tokenMaxBody)
		}
		return nil, errClientGone
	}
	params := map[string]string{}
	switch mediaType {
	case "application/x-www-form-urlencoded":
		values, err := url.ParseQuery(string(data))
		if err != nil {
			return nil, oauth.InvalidRequest("the form does not parse: %v", err)
		}
		for k, v := range values {
			if len(v) > 1 {
				return nil, oauth.InvalidRequest("%s is given more than once", k)
			}
			params[k] = v[0]
		}
	case "application/json":
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, oauth.InvalidRequest("the body is not a JSON object")
		}
		for k, v := range raw {
			var text string
			if err := json.Unmarshal(v, &text); err != nil {
				return nil, oauth.InvalidRequest("%s must be a string", k)
			}
			params[k] = text
		}
	default:
		return nil, oauth.InvalidRequest("the body must be application/x-www-form-urlencoded or application/json")
	}
	for k, v := range params {
		if !storableText(k) || !storableText(v) {
			return nil, oauth.InvalidRequest("a parameter holds a NUL character or invalid UTF-8")
		}
	}
	return params, nil
}

// writeOAuthError answers with the OAuth2 error JSON of err (RFC 6749 section 5.2); an error
// that is no OAuth2 error (the database failing) is an OperationOutcome as anywhere else.
func writeOAuthError(w http.ResponseWriter, r *http.Request, err error) {
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		writeError(w, r, err)
		return
	}
	if oe.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="sluice"`)
	}
	if oe.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(oe.RetryAfter.Seconds()))))
	}
	body, _ := json.Marshal(map[string]string{"error": oe.Code, "error_description": oe.Description})
	w.Header().Set("Cache-Control", "no-store")
	writeJSONOnly(w, oe.Status, body)
}
