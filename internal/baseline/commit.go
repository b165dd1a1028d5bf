package baseline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ErrPartlyWritten marks an update error after which some baselines were
// written and could not be put back; after any other error of UpdateWith
// nothing under the baselines directory changed.
var ErrPartlyWritten = errors.New("the baselines are partly updated")

// fileWrite is one file an update writes: its path and its new bytes.
type fileWrite struct {
	path string
	data []byte
}

// writeAll writes every file of writes under root, or none (see
// committer.writeAll).
func writeAll(root string, writes []fileWrite) error {
	return committer{rename: os.Rename}.writeAll(root, writes)
}

// committer writes a set of files all or nothing. rename is os.Rename but
// for tests, which make it fail part-way.
type committer struct {
	rename func(oldpath, newpath string) error
}

// writeAll checks that every target is a regular file or absent, stages the
// new bytes and a copy of every file they replace in a temporary directory
// under root (the same file system, so renames are atomic), then renames
// the new files into place. When a rename fails, the files already replaced
// are put back from their copies, the new ones removed, and the
// directories it created removed: every file is as it was. The staging
// directory is removed in every case.
func (c committer) writeAll(root string, writes []fileWrite) (err error) {
	for _, w := range writes {
		if err := checkTarget(w.path); err != nil {
			return err
		}
	}
	created, err := makeDirs(root, writes)
	defer func() {
		if err != nil {
			removeDirs(created)
		}
	}()
	if err != nil {
		return err
	}
	stage, err := os.MkdirTemp(root, ".update-*")
	if err != nil {
		return fmt.Errorf("staging the baselines update: %w", err)
	}
	defer os.RemoveAll(stage)
	newPaths := make([]string, len(writes))
	oldPaths := make([]string, len(writes)) // "" where the target is new
	for i, w := range writes {
		newPaths[i] = filepath.Join(stage, "new-"+strconv.Itoa(i))
		if err := writeSynced(newPaths[i], w.data, 0o644); err != nil {
			return fmt.Errorf("staging %q: %w", w.path, err)
		}
		old, err := os.ReadFile(w.path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		var fi os.FileInfo
		if err == nil {
			fi, err = os.Stat(w.path)
		}
		if err != nil {
			return fmt.Errorf("baseline %q: %w", w.path, err)
		}
		oldPaths[i] = filepath.Join(stage, "old-"+strconv.Itoa(i))
		if err := writeSynced(oldPaths[i], old, fi.Mode().Perm()); err != nil {
			return fmt.Errorf("staging a copy of %q: %w", w.path, err)
		}
	}
	for i, w := range writes {
		if err := c.rename(newPaths[i], w.path); err != nil {
			err = fmt.Errorf("writing %q: %w", w.path, err)
			if undo := c.undo(writes[:i], oldPaths); undo != nil {
				return fmt.Errorf("%w; putting back the files already written failed (%w): %w", err, undo, ErrPartlyWritten)
			}
			return fmt.Errorf("%w; every file was put back as it was", err)
		}
	}
	for _, dir := range dirsOf(writes) {
		syncDir(dir)
	}
	return nil
}

// undo puts back the files of done: the staged copy of a replaced file is
// renamed over it, a new file is removed.
func (c committer) undo(done []fileWrite, oldPaths []string) error {
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		var err error
		if oldPaths[i] != "" {
			err = c.rename(oldPaths[i], done[i].path)
		} else {
			err = os.Remove(done[i].path)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%q: %w", done[i].path, err))
		}
	}
	return errors.Join(errs...)
}

// makeDirs creates root and the directories of writes that do not exist,
// and returns those it created, parents first.
func makeDirs(root string, writes []fileWrite) ([]string, error) {
	var created []string
	for _, dir := range append([]string{root}, dirsOf(writes)...) {
		var missing []string
		for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
			if _, err := os.Stat(d); err == nil || d == filepath.Dir(d) {
				break
			}
			missing = append([]string{d}, missing...)
		}
		for _, d := range missing {
			if err := os.Mkdir(d, 0o755); err != nil && !os.IsExist(err) {
				return created, fmt.Errorf("create baselines directory %q: %w", d, err)
			}
			created = append(created, d)
		}
	}
	return created, nil
}

// removeDirs removes the directories makeDirs created, children first; a
// directory that is not empty stays.
func removeDirs(created []string) {
	for i := len(created) - 1; i >= 0; i-- {
		_ = os.Remove(created[i])
	}
}

// dirsOf lists the directories of writes' paths, each once, in order.
func dirsOf(writes []fileWrite) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range writes {
		if d := filepath.Dir(w.path); !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// writeSynced creates path with data and mode and syncs it to disk.
func writeSynced(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the renames into dir durable; a directory that cannot be
// synced (some file systems) does not undo them.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
