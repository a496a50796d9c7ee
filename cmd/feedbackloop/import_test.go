package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest/sources"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

const fixtures = "../../ingest/sources/testdata/"

// runImportCmd runs `feedbackloop import args...` and returns stdout,
// stderr and the command's error.
func runImportCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	a := &app{logFormat: "console", logLevel: "error"}
	cmd := newImportCmd(a)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true // as the root command sets them
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// startImport runs newCmd (newImportCmd or newPublishCmd) with args, stdin
// as its standard input, until ctx ends or it does; done gives its error.
func startImport(ctx context.Context, newCmd func(*app) *cobra.Command, stdin io.Reader, args ...string) (out, errb *bytes.Buffer, done <-chan error) {
	cmd := newCmd(&app{logFormat: "console", logLevel: "error"})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true // as the root command sets them
	out, errb = new(bytes.Buffer), new(bytes.Buffer)
	cmd.SetIn(stdin)
	cmd.SetOut(out)
	cmd.SetErr(errb)
	cmd.SetArgs(args)
	ch := make(chan error, 1)
	go func() { ch <- cmd.ExecuteContext(ctx) }()
	return out, errb, ch
}

func dryRunRecords(t *testing.T, stdout string) []*feedback.Record {
	t.Helper()
	var recs []*feedback.Record
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if line == "" {
			continue
		}
		r, err := feedback.Decode([]byte(line), 0)
		if err != nil {
			t.Fatalf("dry-run line %q is not a valid record: %v", line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func TestDryRunPrintsValidRecordsAndReportsEachRejectedItem(t *testing.T) {
	stdout, stderr, err := runImportCmd(t, "--source", "zendesk", "--file", fixtures+"zendesk_tickets.json", "--dry-run")
	if err == nil || !strings.Contains(err.Error(), "1 of 4 items rejected") {
		t.Errorf("error %v, want one saying an item was rejected", err)
	}
	recs := dryRunRecords(t, stdout)
	if len(recs) != 2 || recs[0].ID != "zendesk:4821" || recs[1].ID != "zendesk:4822" {
		t.Errorf("records %v", recs)
	}
	for _, want := range []string{
		"zendesk_tickets.json:1: tickets[3]: rejected: created_at: is missing",
		"tickets[2]: skipped: ticket 4790 is deleted",
		"dry run: read 4, would publish 2, skipped 1 (not feedback), skipped 0 (not customer feedback: agent replies, notes, bots, staff), rejected 1",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

// n records are customers', all are with --include-staff.
func TestDryRunOfEverySourceFixture(t *testing.T) {
	cases := []struct {
		args   []string
		n, all int
	}{
		{[]string{"--source", "freshdesk", "--file", fixtures + "freshdesk_conversations.json"}, 1, 3},
		{[]string{"--source", "intercom", "--file", fixtures + "intercom_conversation.json"}, 2, 4},
		{[]string{"--source", "discourse", "--file", fixtures + "discourse_topic.json", "--base-url", "https://forum.example.com"}, 2, 3},
		{[]string{"--source", "github", "--file", fixtures + "github_issue_comment_webhook.json"}, 1, 1},
		{[]string{"--source", "reddit", "--file", fixtures + "reddit_listing.json"}, 3, 3},
		{[]string{"--source", "reddit", "--file", fixtures + "reddit_thread.json"}, 2, 3},
		{[]string{"--source", "zendesk", "--file", fixtures + "zendesk_comments.json", "--parent", "4821"}, 2, 3},
		{[]string{"--source", "notes", "--dir", fixtures + "notes/2024"}, 4, 4},
		{[]string{"--source", "csv", "--file", fixtures + "nps.csv", "--map", "created_at=Submitted,body=Comment,account.id=Customer,rating=Score",
			"--source-name", "nps", "--kind", "survey", "--date-order", "mdy"}, 4, 4},
	}
	for _, tc := range cases {
		t.Run(tc.args[1]+" "+tc.args[3], func(t *testing.T) {
			stdout, stderr, _ := runImportCmd(t, append(tc.args, "--dry-run")...)
			if recs := dryRunRecords(t, stdout); len(recs) != tc.n {
				t.Errorf("%d records, want %d\n%s", len(recs), tc.n, stderr)
			}
			stdout, stderr, _ = runImportCmd(t, append(tc.args, "--dry-run", "--include-staff")...)
			if recs := dryRunRecords(t, stdout); len(recs) != tc.all {
				t.Errorf("--include-staff: %d records, want %d\n%s", len(recs), tc.all, stderr)
			}
		})
	}
}

// What agents, bots and automations wrote is reported item by item and
// counted apart; --include-staff imports it, marked with its role.
func TestDryRunSkipsStaffTextUnlessIncluded(t *testing.T) {
	args := []string{"--source", "zendesk", "--file", fixtures + "other/zendesk_comments_roles.json", "--dry-run"}
	stdout, stderr, err := runImportCmd(t, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var ids []string
	for _, r := range dryRunRecords(t, stdout) {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, " ") != "zendesk:90160/882001 zendesk:90160/882006 zendesk:90160/882008" {
		t.Errorf("records %v, want the customer's three", ids)
	}
	for _, want := range []string{
		"zendesk_comments_roles.json:1: comments[1]: skipped: not customer feedback: comment 882002 is an agent's reply",
		"comments[2]: skipped: not customer feedback: comment 882003 is an agent's internal note",
		`comments[3]: skipped: not customer feedback: comment 882004 was added by the automation "Pending 48h reminder"`,
		"comments[4]: skipped: not customer feedback: comment 882005 is an answer bot's reply",
		"comments[6]: skipped: not customer feedback: comment 882007 is an agent's reply",
		"dry run: read 8, would publish 3, skipped 0 (not feedback), skipped 5 (not customer feedback: agent replies, notes, bots, staff), rejected 0",
		"--include-staff imports",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}

	stdout, stderr, err = runImportCmd(t, append(args, "--include-staff")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	roles := map[string]string{}
	for _, r := range dryRunRecords(t, stdout) {
		roles[r.ID] = r.Metadata["author_role"]
	}
	want := map[string]string{
		"zendesk:90160/882001": "customer", "zendesk:90160/882002": "agent", "zendesk:90160/882003": "agent",
		"zendesk:90160/882004": "bot", "zendesk:90160/882005": "bot", "zendesk:90160/882006": "customer",
		"zendesk:90160/882007": "agent", "zendesk:90160/882008": "customer",
	}
	if fmt.Sprint(roles) != fmt.Sprint(want) {
		t.Errorf("records and roles with --include-staff:\n%v\nwant\n%v", roles, want)
	}
	if !strings.Contains(stderr, "dry run: read 8, would publish 8, skipped 0 (not feedback), skipped 0 (not customer feedback") ||
		strings.Contains(stderr, "--include-staff imports") {
		t.Errorf("totals with --include-staff:\n%s", stderr)
	}
}

func TestCSVImportNamesTheLineOfABadRow(t *testing.T) {
	_, stderr, err := runImportCmd(t, "--source", "csv", "--file", fixtures+"nps.csv", "--dry-run",
		"--map", "created_at=Submitted,body=Comment,rating=Score")
	if err == nil {
		t.Error("rejected rows did not fail the command")
	}
	for _, want := range []string{
		`nps.csv:4: rejected: column "Submitted" (created_at): "10/03/2025" could be month/day or day/month`,
		`nps.csv:5: rejected: column "Score" (rating): "ten" is not a number`,
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
	if _, _, err := runImportCmd(t, "--source", "csv", "--file", fixtures+"nps.csv", "--dry-run", "--map", "body=Comment"); err == nil ||
		!strings.Contains(err.Error(), "created_at is required") {
		t.Errorf("missing created_at mapping: %v", err)
	}
	if _, _, err := runImportCmd(t, "--source", "zendesk", "--file", fixtures+"nps.csv", "--map", "body=x"); err == nil ||
		!strings.Contains(err.Error(), "for --source csv") {
		t.Errorf("--map with a JSON source: %v", err)
	}
}

func TestImportPublishesOnceAndCountsDuplicatesOnTheSecondRun(t *testing.T) {
	srv := testenv.NATS(t)
	t.Setenv("FEEDBACKLOOP_NATS_URL", srv.ClientURL())
	args := []string{"--source", "github", "--file", fixtures + "github_issues.json", "--chunk", "1"}
	_, stderr, err := runImportCmd(t, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "read 3, published 2, duplicates skipped by JetStream 0, skipped 1 (not feedback), skipped 0 (not customer feedback: agent replies, notes, bots, staff), rejected 0, failed 0") {
		t.Errorf("first run totals:\n%s", stderr)
	}
	_, stderr, err = runImportCmd(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "published 0, duplicates skipped by JetStream 2") {
		t.Errorf("second run totals:\n%s", stderr)
	}
	if strings.Contains(stderr, "publishing") {
		t.Errorf("a progress bar was drawn on a non-terminal:\n%s", stderr)
	}
}

// The "done when": a dry run maps every item of payloads other
// than the ones the mappers were written against (ingest/sources/testdata/
// other, whose table test checks each record's id, date, account and text)
// to valid records, reports the rest, and prints the same records the
// mapper returns, in order; with and without --include-staff.
func TestDryRunMapsEveryItemOfTheOtherPayloads(t *testing.T) {
	const dir = fixtures + "other/"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		source, _, _ := strings.Cut(name, "_")
		args := []string{"--source", source, "--file", dir + name, "--dry-run"}
		opts := sources.Options{}
		switch {
		case strings.HasPrefix(name, "records"):
			source, args[1] = "jsonl", "jsonl"
		case strings.HasSuffix(name, ".csv"):
			continue // TestDryRunOfACSVExport, TestDryRunOfACSVExportWithRoles
		case name == "zendesk_comments_offset.json":
			args = append(args, "--parent", "90102")
			opts.Parent = "90102"
		}
		for _, staff := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s staff=%v", name, staff), func(t *testing.T) {
				m, ok := sources.Lookup(source)
				if !ok {
					t.Fatalf("no mapper %s", source)
				}
				data, err := os.ReadFile(dir + name)
				if err != nil {
					t.Fatal(err)
				}
				opts.IncludeStaff = staff
				items, err := m.Map(data, opts)
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				skipped, notCustomer, rejected := 0, 0, 0
				for _, it := range items {
					switch {
					case it.Record != nil:
						b, _ := json.Marshal(it.Record)
						want = append(want, string(b))
					case errors.Is(it.Err, sources.ErrNotCustomer):
						notCustomer++
					case errors.Is(it.Err, sources.ErrSkipped):
						skipped++
					default:
						rejected++
					}
				}
				cmdArgs := args
				if staff {
					cmdArgs = append(append([]string{}, args...), "--include-staff")
				}
				stdout, stderr, err := runImportCmd(t, cmdArgs...)
				if (err != nil) != (rejected > 0) {
					t.Errorf("command error %v with %d rejected items", err, rejected)
				}
				recs := dryRunRecords(t, stdout)
				if len(recs) != len(want) || len(recs) == 0 && skipped+notCustomer == 0 {
					t.Fatalf("%d records, want %d\n%s", len(recs), len(want), stderr)
				}
				for i, r := range recs {
					b, _ := json.Marshal(r)
					if string(b) != want[i] {
						t.Errorf("record %d:\n%s\nwant\n%s", i, b, want[i])
					}
				}
				totals := fmt.Sprintf("dry run: read %d, would publish %d, skipped %d (not feedback), skipped %d (not customer feedback: agent replies, notes, bots, staff), rejected %d",
					len(items), len(want), skipped, notCustomer, rejected)
				if !strings.Contains(stderr, totals) {
					t.Errorf("stderr does not say %q:\n%s", totals, stderr)
				}
				if staff && notCustomer > 0 {
					t.Errorf("%d items skipped as staff text with --include-staff", notCustomer)
				}
			})
		}
	}
}

func TestDryRunOfACSVExport(t *testing.T) {
	stdout, stderr, err := runImportCmd(t, "--source", "csv", "--file", fixtures+"other/survey_export.csv", "--dry-run",
		"--map", "id=Response ID,body=Comment,created_at=Created At,account.id=Customer,rating=Score",
		"--source-name", "nps", "--kind", "survey")
	if err == nil || !strings.Contains(err.Error(), "1 of 4 items rejected") {
		t.Errorf("error %v, want the empty comment rejected", err)
	}
	recs := dryRunRecords(t, stdout)
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	if strings.Join(ids, " ") != "nps:r_8841 nps:r_8842 nps:r_8844" {
		t.Errorf("ids %v", ids)
	}
	if !strings.Contains(stderr, `survey_export.csv:6: rejected: column "Comment" (body): is empty`) {
		t.Errorf("the empty row is not reported with its line:\n%s", stderr)
	}
}

func TestDryRunOfACSVExportWithRoles(t *testing.T) {
	args := []string{"--source", "csv", "--file", fixtures + "other/helpdesk_replies.csv", "--dry-run",
		"--map", "id=Message ID,parent=Ticket,created_at=Sent,author.email=From,metadata.author_role=Role,body=Text",
		"--source-name", "helpdesk", "--kind", "ticket"}
	for _, tc := range []struct {
		staff bool
		ids   string
		total string
	}{
		{false, "helpdesk:m-9001 helpdesk:m-9004", "would publish 2, skipped 0 (not feedback), skipped 2 (not customer feedback"},
		{true, "helpdesk:m-9001 helpdesk:m-9002 helpdesk:m-9003 helpdesk:m-9004", "would publish 4, skipped 0 (not feedback), skipped 0 (not customer feedback"},
	} {
		a := args
		if tc.staff {
			a = append(append([]string{}, args...), "--include-staff")
		}
		stdout, stderr, err := runImportCmd(t, a...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		var ids []string
		for _, r := range dryRunRecords(t, stdout) {
			ids = append(ids, r.ID)
		}
		if strings.Join(ids, " ") != tc.ids || !strings.Contains(stderr, tc.total) {
			t.Errorf("--include-staff=%v: ids %v\n%s", tc.staff, ids, stderr)
		}
		if !tc.staff && !strings.Contains(stderr, "helpdesk_replies.csv:3: skipped: not customer feedback: helpdesk:m-9002 has metadata.author_role=agent") {
			t.Errorf("the agent's row is not reported with its line:\n%s", stderr)
		}
	}
}

// The CSV date flags are refused for other inputs, not ignored: an import
// that ignored --date-order would publish dates read another way.
func TestImportRefusesCSVDateFlagsForOtherSources(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--source", "zendesk", "--file", filepath.Join(dir, "x.json"), "--date-order", "mdy"},
		{"--source", "zendesk", "--file", filepath.Join(dir, "x.json"), "--id-date-order", "dmy"},
		{"--source", "notes", "--dir", dir, "--date-layout", "02.01.2006"},
	} {
		_, _, err := execute(t, context.Background(), append([]string{"import", "--dry-run"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), "are for --source csv") {
			t.Errorf("import %v: %v, want the flags refused", args, err)
		}
	}
}

func TestImportRejectsASecondRowWithTheSameIDAndOtherContent(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tickets.csv")
	data := "Ticket,Date,Comment\nT-1,2025-03-01,Export times out\nT-1,2025-03-02,Still timing out\n"
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runImportCmd(t, "--source", "csv", "--file", file, "--dry-run", "--map", "id=Ticket,created_at=Date,body=Comment")
	if err == nil {
		t.Error("a rejected row did not fail the command")
	}
	if want := `tickets.csv:3: rejected: id "csv:T-1" is already on line 2, with other content`; !strings.Contains(stderr, want) {
		t.Errorf("stderr does not say %q:\n%s", want, stderr)
	}
	if recs := dryRunRecords(t, stdout); len(recs) != 1 || recs[0].Body != "Export times out" {
		t.Errorf("dry run printed %d records, want the first row only", len(recs))
	}
}

// An export that lists a record once per update imports the last version,
// and says so; that is no error.
func TestImportKeepsTheLastVersionOfARecordInAnExport(t *testing.T) {
	file := filepath.Join(t.TempDir(), "export.jsonl")
	v := func(body string) string {
		return `{"id":"jsonl:T-1","source":"jsonl","kind":"ticket","created_at":"2025-03-01T09:00:00Z","body":"` + body + `"}` + "\n"
	}
	if err := os.WriteFile(file, []byte(v("Export times out")+v("Export times out, and now it fails on Fridays")), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runImportCmd(t, "--source", "jsonl", "--file", file, "--dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if recs := dryRunRecords(t, stdout); len(recs) != 1 || !strings.Contains(recs[0].Body, "Fridays") {
		t.Errorf("dry run printed %d records, want the later version only", len(recs))
	}
	if !strings.Contains(stderr, "export.jsonl:1: a later version of this record comes after it in the input") || !strings.Contains(stderr, "skipped 1 (a later version of the record follows)") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// A dry run rejects what the real run rejects: both judge bodies by the
// limit records are published with, worker.max_body_bytes. The mappers
// used to check the default 256 KiB, so a dry run passed what a smaller
// configured limit then rejected at publishing, and a larger one was
// never reached: a 300 KiB ticket was rejected whatever was configured.
func TestImportJudgesBodiesByTheConfiguredLimitInDryAndRealRuns(t *testing.T) {
	srv := testenv.NATS(t)
	t.Setenv("FEEDBACKLOOP_NATS_URL", srv.ClientURL())
	ticket := func(id, size int) string {
		return fmt.Sprintf(`{"id":%d,"subject":"Export","description_text":%q,"created_at":"2025-03-01T09:00:00Z"}`+"\n",
			id, strings.Repeat("x", size))
	}
	file := filepath.Join(t.TempDir(), "tickets.jsonl")
	if err := os.WriteFile(file, []byte(ticket(1, 2000)+ticket(2, 300<<10)), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--source", "freshdesk", "--file", file}
	for _, tc := range []struct {
		limit           string
		dry, real, said string
	}{
		{"1KiB", "would publish 0,", "published 0,", "tickets.jsonl:1: rejected: body: is 2000 bytes, over the limit of 1024"},
		{"1MiB", "would publish 2,", "published 2,", ""},
	} {
		t.Setenv("FEEDBACKLOOP_WORKER_MAX_BODY_BYTES", tc.limit)
		stdout, stderr, _ := runImportCmd(t, append(args, "--dry-run")...)
		if !strings.Contains(stderr, tc.dry) || !strings.Contains(stderr, tc.said) {
			t.Errorf("limit %s, dry run:\n%s", tc.limit, stderr)
		}
		if n := strings.Count(stdout, "\n"); fmt.Sprintf("would publish %d,", n) != tc.dry {
			t.Errorf("limit %s: the dry run printed %d records", tc.limit, n)
		}
		_, stderr, _ = runImportCmd(t, args...)
		if !strings.Contains(stderr, tc.real) || !strings.Contains(stderr, tc.said) {
			t.Errorf("limit %s, real run:\n%s", tc.limit, stderr)
		}
	}
}

// A ticket marked as spam in the last version an export lists is not
// published in its earlier version: the earlier one is counted as
// superseded, the last as skipped.
func TestImportPublishesNothingOfATicketWhoseLastVersionIsSpam(t *testing.T) {
	file := filepath.Join(t.TempDir(), "export.jsonl")
	v := `{"id":801,"subject":"s","description_text":"cheap stuff","created_at":"2024-03-10T10:00:00Z"%s}` + "\n"
	if err := os.WriteFile(file, []byte(fmt.Sprintf(v, "")+fmt.Sprintf(v, `,"spam":true`)), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runImportCmd(t, "--source", "freshdesk", "--file", file, "--dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if recs := dryRunRecords(t, stdout); len(recs) != 0 {
		t.Errorf("dry run printed %d records, want none", len(recs))
	}
	for _, want := range []string{
		"export.jsonl:1: a later version of this record comes after it in the input (line 2), and is skipped: ticket 801 is marked as spam",
		"would publish 0, skipped 1 (not feedback), skipped 0 (not customer feedback: agent replies, notes, bots, staff), skipped 1 (a later version of the record follows)",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

// publish --file - behind a producer that has not finished publishes the
// records it has written, instead of waiting for the end of its output;
// line numbers count from the start of the input, and the totals at the
// end are the whole input's.
func TestPublishFromAPipePublishesBeforeTheInputEnds(t *testing.T) {
	srv := testenv.NATS(t)
	t.Setenv("FEEDBACKLOOP_NATS_URL", srv.ClientURL())
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	record := func(id string) string {
		return fmt.Sprintf(`{"id":"csv:%s","source":"csv","kind":"survey","created_at":"2026-01-02T03:04:05Z","body":"Export times out %s"}`+"\n", id, id)
	}
	in, producer := io.Pipe()
	_, errb, done := startImport(context.Background(), newPublishCmd, in, "--file", "-")

	if _, err := io.WriteString(producer, "\n"+record("1")+record("2")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		if s, err := js.Stream(ctx, config.Default().NATS.Stream); err == nil {
			if info, err := s.Info(ctx); err == nil && info.State.Msgs == 2 {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("the records written so far were not published while the producer went on")
		case err := <-done:
			t.Fatalf("publish ended before its input did: %v\n%s", err, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if _, err := io.WriteString(producer, "{broken\n"+record("3")); err != nil {
		t.Fatal(err)
	}
	producer.Close()
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "1 of 4 items rejected") {
		t.Errorf("error %v, want the broken line counted", err)
	}
	for _, want := range []string{"stdin:4: rejected: not JSON", "read 4, published 3, duplicates skipped by JetStream 0"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, errb.String())
		}
	}
}

// A pretty-printed document on standard input, which cannot be read a
// line at a time, is still read whole.
func TestADocumentOnStandardInputIsReadWhole(t *testing.T) {
	doc := "\n[\n  {\"id\": \"csv:1\", \"source\": \"csv\", \"kind\": \"survey\",\n   \"created_at\": \"2026-01-02T03:04:05Z\", \"body\": \"Slow export\"}\n]\n"
	out, _, done := startImport(context.Background(), newImportCmd, strings.NewReader(doc), "--source", "jsonl", "--file", "-", "--dry-run")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if recs := dryRunRecords(t, out.String()); len(recs) != 1 || recs[0].ID != "csv:1" {
		t.Errorf("records %v", recs)
	}
}

// Ctrl-C stops an import that is still reading its input, instead of
// waiting for a pipe (or a large file's mapping) to end.
func TestAnImportStillReadingStopsWhenAsked(t *testing.T) {
	for _, tc := range []struct{ source, written string }{
		{"zendesk", `{"tickets": [`},
		{"jsonl", ""},                    // publish waiting for its first line
		{"jsonl", `{"id": "csv:1", "bo`}, // or for the end of it
	} {
		in, producer := io.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		_, _, done := startImport(ctx, newImportCmd, in, "--source", tc.source, "--file", "-", "--dry-run")
		if tc.written != "" {
			if _, err := io.WriteString(producer, tc.written); err != nil {
				t.Fatal(err)
			}
		}
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s import stopped while reading %q: %v, want context.Canceled", tc.source, tc.written, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the %s import went on reading %q after it was stopped", tc.source, tc.written)
		}
		producer.Close()
	}
}

// Ctrl-C is how a producer that runs for ever is stopped: what publish
// read from it is still sent, a record it was still gathering over
// several lines is reported where it began, and the totals are said.
func TestPublishFromAPipeSendsWhatItReadWhenStopped(t *testing.T) {
	defer func(w time.Duration) { streamWait = w }(streamWait)
	streamWait = time.Hour // only the stop flushes
	record := `{"id":"csv:%d","source":"csv","kind":"survey","created_at":"2026-01-02T03:04:05Z","body":"Slow export"}` + "\n"
	for _, tc := range []struct {
		name, read, then string
		records          int
		says             []string
	}{
		{"whole records", fmt.Sprintf(record+record, 1, 2), `{"id":`, 2, []string{"dry run: read 2, would publish 2"}},
		{"a record half read", fmt.Sprintf(record, 1) + "{\n  \"id\": \"csv:2\",\n", `  "source":`, 1,
			[]string{"stdin:2: rejected: not JSON", "dry run: read 2, would publish 1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, producer := io.Pipe()
			defer producer.Close()
			ctx, cancel := context.WithCancel(context.Background())
			out, errb, done := startImport(ctx, newImportCmd, in, "--source", "jsonl", "--file", "-", "--dry-run")
			if _, err := io.WriteString(producer, tc.read); err != nil {
				t.Fatal(err)
			}
			// A pipe's write returns once it was read: the lines before
			// it have reached publish.
			if _, err := io.WriteString(producer, tc.then); err != nil {
				t.Fatal(err)
			}
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("stopped publish: %v, want context.Canceled", err)
			}
			if recs := dryRunRecords(t, out.String()); len(recs) != tc.records {
				t.Errorf("%d records sent after the stop, want %d", len(recs), tc.records)
			}
			for _, want := range tc.says {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr does not say %q:\n%s", want, errb.String())
				}
			}
		})
	}
}

// A record printed over several lines among JSON lines on standard input
// is read whole, as it is from a file.
func TestAPrettyRecordAmongJSONLinesOnStandardInputIsReadWhole(t *testing.T) {
	out, errb, done := startImport(context.Background(), newImportCmd, strings.NewReader(`{"id":"csv:1","source":"csv","kind":"survey","created_at":"2026-01-02T03:04:05Z","body":"Slow export"}
{
  "id": "csv:2", "source": "csv", "kind": "survey",
  "created_at": "2026-01-02T03:04:05Z", "body": "Export times out"
}
{broken
`), "--source", "jsonl", "--file", "-", "--dry-run")
	err := <-done
	if recs := dryRunRecords(t, out.String()); len(recs) != 2 || recs[1].ID != "csv:2" {
		t.Errorf("records %v, want csv:1 and the pretty-printed csv:2", recs)
	}
	if err == nil || !strings.Contains(errb.String(), "stdin:6: rejected: not JSON") || !strings.Contains(errb.String(), "read 3, would publish 2") {
		t.Errorf("error %v, stderr:\n%s", err, errb.String())
	}
}
