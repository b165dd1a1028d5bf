package results

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Write stores f at path atomically: it writes a temporary file in the same
// directory, syncs it to disk and renames it over path, so a reader sees the
// old file or the new one, never a part. On any error (a full disk
// included) the temporary file is removed and path is left as it was.
func Write(path string, f *File) error {
	data, err := Encode(f)
	if err != nil {
		return fmt.Errorf("encoding result %q: %w", path, err)
	}
	return WriteAtomic(path, data)
}

// Encode returns f as Write stores it: indented JSON and a newline.
func Encode(f *File) ([]byte, error) {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// WriteAtomic writes data to path through a synced temporary file in the
// same directory and a rename, so a reader sees the old file or the new
// one, never a part. Every file the harness writes goes through it.
func WriteAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %q: syncing: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %q: %w", path, err)
	}
	// Make the rename itself durable; a directory that cannot be synced
	// (some file systems) does not undo the write.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
