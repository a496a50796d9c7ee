package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// ThemesFile returns the path of a labelled file of the team's reference
// data (banking77_train.csv, …), which lives beside the repository in
// ../shared/data/themes unless FEEDBACKLOOP_THEMES_DATA names another
// folder. The data is not part of the repository, so without the file the
// test is skipped, under CI=true as well: it is no server that failed.
func ThemesFile(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("FEEDBACKLOOP_THEMES_DATA")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(root, "..", "shared", "data", "themes")
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); os.IsNotExist(err) {
		t.Skipf("%s not found: the shared data is not part of the repository", path)
	} else if err != nil {
		t.Fatal(err)
	}
	return path
}

// repoRoot is the nearest folder above the working directory (a test's
// package folder) that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
