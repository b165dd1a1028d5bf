// Package layout_test enforces the pipeline's direction: every package
// under internal/ states in its doc.go which internal packages it may
// import, and this test fails when a non-test file imports another.
package layout_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/vllm-bench-action/vllm-bench-action/internal/"

// packages returns every package directory under root (relative paths
// such as "gate" or "github/githubtest") that holds non-test Go files.
func packages(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || d.Name() == "testdata" {
			return err
		}
		files, _ := filepath.Glob(filepath.Join(path, "*.go"))
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				rel, _ := filepath.Rel(root, path)
				out = append(out, filepath.ToSlash(rel))
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

var (
	// allowedLine is the rule as every doc.go states it.
	allowedLine = regexp.MustCompile(`(?s)Allowed internal imports:\s*(.*?)\.\s*\n`)
	// mayImport and importsNone are the older wordings, still read.
	mayImport   = regexp.MustCompile(`(?s)may import (.*?)[;.]`)
	importsNone = regexp.MustCompile(`imports no (other )?internal package|no internal imports`)
)

// allowed reads the internal packages a package's doc.go permits.
func allowed(t *testing.T, dir string, known []string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "doc.go"))
	if err != nil {
		t.Fatalf("%s: every package needs a doc.go that states its allowed imports: %v", dir, err)
	}
	doc := strings.ReplaceAll(string(data), "//", "")
	var list string
	switch {
	case allowedLine.MatchString(doc):
		list = allowedLine.FindStringSubmatch(doc)[1]
	case mayImport.MatchString(doc):
		list = mayImport.FindStringSubmatch(doc)[1]
	case importsNone.MatchString(doc):
		return nil
	default:
		t.Fatalf("%s/doc.go does not say which internal packages it may import (want a line \"Allowed internal imports: a, b.\")", dir)
	}
	var out []string
	for _, word := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '(' || r == ')' }) {
		if slices.Contains(known, word) {
			out = append(out, word)
		}
	}
	return out
}

func TestImportRules(t *testing.T) {
	root := ".."
	known := packages(t, root)
	if len(known) < 10 {
		t.Fatalf("found only %v under %s", known, root)
	}
	fset := token.NewFileSet()
	for _, pkg := range known {
		dir := filepath.Join(root, filepath.FromSlash(pkg))
		ok := allowed(t, dir, known)
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				dep, internal := strings.CutPrefix(path, module)
				if !internal || dep == pkg {
					continue
				}
				if !slices.Contains(ok, dep) {
					list := strings.Join(ok, ", ")
					if list == "" {
						list = "none"
					}
					t.Errorf("%s imports %s, which its doc.go does not allow (allowed: %s): the pipeline flows one way",
						filepath.ToSlash(file), dep, list)
				}
			}
		}
	}
}
