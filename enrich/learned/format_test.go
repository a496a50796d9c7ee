package learned

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
	"errors"
	"fmt"
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
	want := fmt.Sprintf("format version %d, this build reads version %d", formatVersion+1, formatVersion)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want ErrFormat naming both versions", err)
	}
}
