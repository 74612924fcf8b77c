package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// dataset is the scaled Synthea set of one scale with the files derived from it, all made once
// and kept in .bench/data-<N>:
//
//	<Type>.ndjson.gz, all.ndjson.gz        cmd/scaledata's output (FHIR format)
//	plain/<Type>.ndjson, plain/all.ndjson  the same lines uncompressed: what $load fetches
//	tsv/<Type>.tsv, tsv/all.tsv            "<id>\t<line>": what the raw \copy baseline reads
//	manifest.json                          lines and bytes of every plain file
type dataset struct {
	Dir   string              `json:"-"`
	Scale int                 `json:"scale"`
	Types []string            `json:"types"` // in name order
	Files map[string]fileInfo `json:"files"` // by type, and "all"
}

// fileInfo describes one NDJSON file: its lines (resources) and bytes.
type fileInfo struct {
	Lines int64 `json:"lines"`
	Bytes int64 `json:"bytes"`
}

const allTypes = "all"

func (d *dataset) plain(name string) string { return filepath.Join(d.Dir, "plain", name+".ndjson") }
func (d *dataset) tsv(name string) string   { return filepath.Join(d.Dir, "tsv", name+".tsv") }

// prepareData returns the data set of a scale, generating what is missing.
func prepareData(ctx context.Context, root, scaledata, input string, scale int) (*dataset, error) {
	dir := filepath.Join(root, fmt.Sprintf("data-%d", scale))
	manifest := filepath.Join(dir, "manifest.json")
	if raw, err := os.ReadFile(manifest); err == nil {
		d := &dataset{Dir: dir}
		if err := json.Unmarshal(raw, d); err != nil {
			return nil, fmt.Errorf("%s: %w (delete %s to regenerate)", manifest, err, dir)
		}
		return d, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "all.ndjson.gz")); err != nil {
		logf("generating the data set: scaledata -scale %d into %s", scale, dir)
		tmp := dir + ".tmp"
		if err := os.RemoveAll(tmp); err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, scaledata, "-in", input, "-out", tmp, "-scale", fmt.Sprint(scale))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("scaledata: %v: %s", err, stderr.String())
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, err
		}
		if err := os.Rename(tmp, dir); err != nil {
			return nil, err
		}
	}
	logf("deriving plain NDJSON and id-prefixed TSV files in %s", dir)
	d := &dataset{Dir: dir, Scale: scale, Files: map[string]fileInfo{}}
	gzs, err := filepath.Glob(filepath.Join(dir, "*.ndjson.gz"))
	if err != nil {
		return nil, err
	}
	for _, gz := range gzs {
		if name := strings.TrimSuffix(filepath.Base(gz), ".ndjson.gz"); name != allTypes {
			d.Types = append(d.Types, name)
		}
	}
	slices.Sort(d.Types)
	for _, dirName := range []string{"plain", "tsv"} {
		if err := os.MkdirAll(filepath.Join(dir, dirName), 0o755); err != nil {
			return nil, err
		}
	}
	for _, t := range d.Types {
		info, err := derive(filepath.Join(dir, t+".ndjson.gz"), d.plain(t), d.tsv(t))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t, err)
		}
		d.Files[t] = info
	}
	// The combined files are the type files one after the other, like all.ndjson.gz.
	var all fileInfo
	var plains, tsvs []string
	for _, t := range d.Types {
		all.Lines += d.Files[t].Lines
		all.Bytes += d.Files[t].Bytes
		plains = append(plains, d.plain(t))
		tsvs = append(tsvs, d.tsv(t))
	}
	if err := concat(d.plain(allTypes), plains); err != nil {
		return nil, err
	}
	if err := concat(d.tsv(allTypes), tsvs); err != nil {
		return nil, err
	}
	d.Files[allTypes] = all
	raw, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return d, os.WriteFile(manifest, raw, 0o644)
}

// derive gunzips an NDJSON file into plain and writes "<id>\t<line>" for each line into tsv.
// Compact JSON holds no raw tab or newline, so with COPY's csv format, a tab delimiter and a
// quote byte JSON never contains, every line reaches PostgreSQL untouched (docs/performance.md, "Loading").
func derive(gzPath, plainPath, tsvPath string) (fileInfo, error) {
	var info fileInfo
	in, err := os.Open(gzPath)
	if err != nil {
		return info, err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return info, err
	}
	plainFile, err := os.Create(plainPath)
	if err != nil {
		return info, err
	}
	defer plainFile.Close()
	tsvFile, err := os.Create(tsvPath)
	if err != nil {
		return info, err
	}
	defer tsvFile.Close()
	plain, tsv := bufio.NewWriterSize(plainFile, 1<<20), bufio.NewWriterSize(tsvFile, 1<<20)
	r := bufio.NewReaderSize(zr, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			line = append(bytes.TrimRight(line, "\r\n"), '\n')
			var head struct {
				ID string `json:"id"`
			}
			if jerr := json.Unmarshal(line, &head); jerr != nil || head.ID == "" {
				return info, fmt.Errorf("line %d: no id (%v)", info.Lines+1, jerr)
			}
			info.Lines++
			info.Bytes += int64(len(line))
			plain.Write(line)
			tsv.WriteString(head.ID)
			tsv.WriteByte('\t')
			tsv.Write(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return info, err
		}
	}
	if err := plain.Flush(); err != nil {
		return info, err
	}
	if err := tsv.Flush(); err != nil {
		return info, err
	}
	if err := plainFile.Close(); err != nil {
		return info, err
	}
	return info, tsvFile.Close()
}

// concat writes the files one after the other into out.
func concat(out string, files []string) error {
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	defer w.Close()
	for _, name := range files {
		r, err := os.Open(name)
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	return w.Close()
}
