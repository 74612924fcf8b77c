package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// adminSecret is the configured secret (SLUICE_ADMIN_SECRET), or a secret generated once and
// kept in the data folder (mode 0600), whose path is printed so the operator can read it.
func adminSecret(configured, dataDir string) (string, error) {
	if configured != "" {
		return configured, nil
	}
	path := filepath.Join(dataDir, "admin-secret")
	if data, err := os.ReadFile(path); err == nil {
		slog.Info("operator secret", "file", path)
		return strings.TrimSpace(string(data)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	random := make([]byte, 24)
	rand.Read(random)
	secret := hex.EncodeToString(random)
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", err
	}
	slog.Info("generated the operator secret", "file", path)
	return secret, nil
}
