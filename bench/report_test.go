package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// recordVar asks the benchmarks to write their figures into BENCHMARKS.md.
const recordVar = "FEEDBACKLOOP_BENCH_RECORD"

const reportFile = "../BENCHMARKS.md"

// record replaces the rows of one section of BENCHMARKS.md, between
// <!-- bench:NAME --> and <!-- /bench:NAME -->, with a table of rows and a
// line saying when and where they were measured.
func record(b *testing.B, name, rows string) {
	b.Helper()
	if os.Getenv(recordVar) != "1" {
		return
	}
	doc, err := os.ReadFile(reportFile)
	if err != nil {
		b.Fatalf("record figures: %v", err)
	}
	open, end := "<!-- bench:"+name+" -->", "<!-- /bench:"+name+" -->"
	i, j := bytes.Index(doc, []byte(open)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		b.Fatalf("record figures: %s has no %s ... %s section", reportFile, open, end)
	}
	var body strings.Builder
	fmt.Fprintf(&body, "%s\n| Measure | Result | Target |\n|---|---|---|\n%s\nMeasured %s on %s.\n",
		open, rows, time.Now().UTC().Format("2006-01-02"), machine(b))
	out := append(append(append([]byte{}, doc[:i]...), body.String()...), doc[j:]...)
	if err := os.WriteFile(reportFile, out, 0o644); err != nil {
		b.Fatalf("record figures: %v", err)
	}
}

// machine describes where the figures come from.
func machine(b *testing.B) string {
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	ch := "ClickHouse (version unknown)"
	c := conn(b, testenv.ClickHouseServer(b))
	var v string
	if err := c.QueryRow(context.Background(), "SELECT version()").Scan(&v); err == nil {
		ch = "ClickHouse " + v
	}
	return fmt.Sprintf("%d× %s, %s, %s, embedded NATS", runtime.NumCPU(), cpu, runtime.Version(), ch)
}
