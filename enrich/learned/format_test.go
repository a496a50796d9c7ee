package learned

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"errors"
	"strings"
	"testing"
)

func TestLoadRejectsAnotherFormatVersion(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := gob.NewEncoder(zw).Encode(fileHeader{Magic: formatMagic, Version: formatVersion + 1}); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := read(&buf)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "format version 3, this build reads version 2") {
		t.Fatalf("error %v, want ErrFormat naming both versions", err)
	}
}
