package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// damageWays damages a copy of a sound outbox in each way a disk, a crash
// or a person can, each row's file named after it.
var damageWays = []struct {
	name   string
	damage func(t *testing.T, path string)
	says   string // what the error says is wrong
}{
	{"truncated", func(t *testing.T, path string) { truncateTo(t, path, 2*os.Getpagesize()) }, "fewer than the 4 of an empty bbolt file"},
	{"header-overwritten", func(t *testing.T, path string) { overwriteAt(t, path, 0, 2*os.Getpagesize()) }, "neither of its two header pages"},
	{"text", func(t *testing.T, path string) { writeFile(t, path, "oops\n") }, "less than a bbolt header"},
	{"record-json", func(t *testing.T, path string) { corruptRecord(t, path, 2) }, "pending event #2 cannot be read: its stored JSON does not decode: invalid character ',' after object key"},
}

func truncateTo(t *testing.T, path string, size int) {
	t.Helper()
	if err := os.Truncate(path, int64(size)); err != nil {
		t.Fatal(err)
	}
}

func overwriteAt(t *testing.T, path string, off int64, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, n), off); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// corruptRecord breaks the stored JSON of event id, keeping its length,
// in every copy of it in the file.
func corruptRecord(t *testing.T, path string, id int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := []byte(`{"id":` + string(rune('0'+id)) + `,"created":`)
	if !bytes.Contains(b, old) {
		t.Fatalf("no record #%d in %s", id, path)
	}
	b = bytes.ReplaceAll(b, old, append(old[:len(old)-1:len(old)-1], ','))
	writeFile(t, path, string(b))
}

// damagedCopy returns a copy of the outbox at src damaged by damage.
func damagedCopy(t *testing.T, src, name string, damage func(*testing.T, string)) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".db")
	writeFile(t, path, string(b))
	damage(t, path)
	return path
}

// Every command on a damaged file stops with exit 1 and an error naming
// the file, what is wrong and how to recover; none crashes.
func TestOutboxDamaged_EveryCommandSaysWhatToDo(t *testing.T) {
	src := newTestOutbox(t, "http://127.0.0.1:1/v2/enqueue")
	for _, way := range damageWays {
		path := damagedCopy(t, src, way.name, way.damage)
		for _, cmd := range [][]string{{"list"}, {"stats"}, {"flush"}, {"drop", "1"}} {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), append(append([]string{"outbox"}, cmd...), "--outbox", path), nil, &stdout, &stderr)
			msg := stderr.String()
			if code != 1 {
				t.Errorf("%s: fluxpd outbox %s exited %d, want 1:\n%s", way.name, cmd[0], code, msg)
			}
			for _, want := range []string{"fluxpd: outbox " + path + " is damaged (", way.says, "move it aside", "fluxpd outbox salvage " + path + ".damaged --outbox " + path} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: fluxpd outbox %s does not say %q:\n%s", way.name, cmd[0], want, msg)
				}
			}
		}
	}
}

// Salvage re-queues the events that can be read, in order, and exits 1
// naming what could not; from a sound file it takes everything, exit 0.
func TestOutboxSalvage(t *testing.T) {
	src := newTestOutbox(t, "http://127.0.0.1:1/v2/enqueue")
	damaged := damagedCopy(t, src, "record-json", damageWays[3].damage)
	good := filepath.Join(t.TempDir(), "good.db")
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"outbox", "salvage", damaged, "--outbox", good}, nil, &stdout, &stderr)
	out := stdout.String() + stderr.String()
	if code != 1 {
		t.Errorf("salvage of a file with an unreadable event exited %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"2 pending events (queued in their order) and 0 dead letters", "Could not be read:", "pending event #2: its stored JSON does not decode", "salvage of " + damaged + " is incomplete"} {
		if !strings.Contains(out, want) {
			t.Errorf("salvage output lacks %q:\n%s", want, out)
		}
	}
	list, _, err := runOutbox(t, "list", "--outbox", good)
	if err != nil || !strings.Contains(list, "2 pending events") || strings.Index(list, `"db01/cpu #0"`) > strings.Index(list, `"db02/disk #2"`) {
		t.Errorf("the salvaged outbox (%v):\n%s\nwant events #1 and #3 of the damaged file, in order", err, list)
	}
	if code := run(t.Context(), []string{"outbox", "salvage", src, "--outbox", filepath.Join(t.TempDir(), "all.db")}, nil, &stdout, &stderr); code != 0 {
		t.Errorf("salvage of a sound file exited %d:\n%s%s", code, &stdout, &stderr)
	}
	for _, args := range [][]string{{"salvage", "--outbox", good}, {"salvage", damaged, "extra", "--outbox", good}} {
		if code := run(t.Context(), append([]string{"outbox"}, args...), nil, &stdout, &stderr); code != 2 {
			t.Errorf("fluxpd outbox %q exited %d, want 2 (usage)", args, code)
		}
	}
}

// list shows what each event is, whatever its stored body holds: a
// change event, a body that is no JSON, a summary quoting the routing
// key, a long one and one on several lines.
func TestOutboxList_Bodies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "outbox.db")
	ob, err := outbox.Open(path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	summary := func(s string) []byte {
		b, _ := json.Marshal(map[string]any{"routing_key": outboxTestKey, "event_action": "trigger", "dedup_key": "k", "payload": map[string]any{"summary": s}})
		return b
	}
	change, _ := json.Marshal(map[string]any{"routing_key": outboxTestKey, "payload": map[string]any{"summary": "deployed v2"}})
	for _, e := range []outbox.Entry{
		{URL: "http://127.0.0.1:1/v2/change/enqueue", RoutingKey: outboxTestKey, Body: change},
		{URL: "http://127.0.0.1:1/v2/enqueue", RoutingKey: outboxTestKey, DedupKey: "a", Body: []byte("not json")},
		{URL: "http://127.0.0.1:1/v2/enqueue", RoutingKey: outboxTestKey, DedupKey: "b", Body: summary("key " + outboxTestKey)},
		{URL: "http://127.0.0.1:1/v2/enqueue", RoutingKey: outboxTestKey, DedupKey: "c", Body: summary(strings.Repeat("long ", 30))},
		{URL: "http://127.0.0.1:1/v2/enqueue", RoutingKey: outboxTestKey, DedupKey: "d", Body: summary("two\tcolumns\nand lines")},
	} {
		if _, err := ob.Enqueue(e); err != nil {
			t.Fatal(err)
		}
	}
	ob.Close()
	out, _, err := runOutbox(t, "list", "--outbox", path) // runOutbox fails the test on an unmasked key
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"change", `"deployed v2"`, "(the stored body, 8 bytes, is no JSON event)", `"key 0123**************************ef"`,
		`"long long long long long long long long…"`, `"two columns and lines"`} {
		if !strings.Contains(out, want) {
			t.Errorf("list output lacks %s:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 8 {
		t.Errorf("list output has %d lines, want 8 (two headings, a column header, five events):\n%s", n, out)
	}
}

// The fluxpd binary on a damaged outbox, as a user runs it: "outbox
// list" and "run --live --outbox" stop with exit 1 and the error, no
// goroutine dump, and run stops before the script runs.
func TestOutboxDamaged_Process(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the fluxpd binary")
	}
	bin := filepath.Join(t.TempDir(), "fluxpd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	src := newTestOutbox(t, "http://127.0.0.1:1/v2/enqueue")
	path := damagedCopy(t, src, "truncated", damageWays[0].damage)
	script := writeScript(t, `"the script ran"`+"\n")
	for _, args := range [][]string{{"outbox", "list", "--outbox", path}, {"run", "--live", "--outbox", path, script}} {
		cmd := exec.Command(bin, args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if code != 1 || strings.Contains(stderr.String(), "goroutine ") || !strings.Contains(stderr.String(), "outbox "+path+" is damaged (") {
			t.Errorf("fluxpd %s: exit %d (%v); want 1 with the damage named, no goroutine dump; stderr:\n%s", args[0], code, err, &stderr)
		}
		if strings.Contains(stdout.String(), "the script ran") {
			t.Errorf("fluxpd run ran the script despite the damaged outbox:\n%s", &stdout)
		}
	}
}
