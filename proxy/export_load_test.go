package proxy

// RedactURL lets the external tests compare sluice.url_redacted with the proxy's redaction.
var RedactURL = redactURL
