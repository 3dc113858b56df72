// Command sumdb-verify checks Verbatim's transparency-log artefacts with Go's reference implementation
// (golang.org/x/mod/sumdb/note and sumdb/tlog) and nothing else, so that a pass means an independent
// codebase reads our signed checkpoints, entry hashes and RFC 6962 proofs as we write them.
//
// Input (stdin, JSON):
//
//	{ "vkey": "<origin>+<hash>+<base64 key>",
//	  "checkpoint": "<signed note text>",
//	  "entries": ["<base64 entry bytes>", ...],            // indexes 0..size-1, exact bytes
//	  "inclusion": [{ "index": 0, "size": N, "hashes": ["<base64>", ...] }, ...],
//	  "consistency": [{ "from": M, "to": N, "fromNote": "<signed note text>", "hashes": [...] }] }
//
// Output (stdout, JSON): every check with its outcome; exit status 0 when all pass, 1 when any fails,
// 2 when the input is not readable at all.
//
// tlog.ParseTree only reads the go.sum "go.sum database tree" note body, whose first line is fixed; a C2SP
// checkpoint's first line is the log's origin instead, so the three lines (origin, size, root) are parsed
// here by the same rules ParseTree applies to lines two and three. The output records that ParseTree
// refuses the checkpoint, so the day it stops doing so is visible.
//
// Build offline in GOPATH mode: GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off go build sumdb-verify.go
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusionInput struct {
	Index  int64    `json:"index"`
	Size   int64    `json:"size"`
	Hashes []string `json:"hashes"`
}

type consistencyInput struct {
	From     int64    `json:"from"`
	To       int64    `json:"to"`
	FromNote string   `json:"fromNote"`
	Hashes   []string `json:"hashes"`
}

type input struct {
	Vkey        string             `json:"vkey"`
	Checkpoint  string             `json:"checkpoint"`
	Entries     []string           `json:"entries"`
	Inclusion   []inclusionInput   `json:"inclusion"`
	Consistency []consistencyInput `json:"consistency"`
}

type check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

type result struct {
	OK                   bool     `json:"ok"`
	Failed               []string `json:"failed"`
	Origin               string   `json:"origin,omitempty"`
	Size                 int64    `json:"size"`
	Root                 string   `json:"root,omitempty"`
	ParseTreeAcceptsNote bool     `json:"parseTreeAcceptsCheckpoint"`
	Checks               []check  `json:"checks"`
}

// checkpoint is the body of a C2SP tlog-checkpoint note.
type checkpoint struct {
	origin string
	tree   tlog.Tree
}

func (r *result) pass(name, detail string) { r.Checks = append(r.Checks, check{name, true, detail}) }

func (r *result) fail(name string, err error) {
	r.Checks = append(r.Checks, check{name, false, err.Error()})
	r.Failed = append(r.Failed, fmt.Sprintf("%s: %v", name, err))
}

func (r *result) finish() {
	r.OK = len(r.Failed) == 0
	if r.Failed == nil {
		r.Failed = []string{}
	}
	out, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println(string(out))
	if !r.OK {
		fmt.Fprintf(os.Stderr, "sumdb-verify: FAILED %s\n", strings.Join(r.Failed, "; "))
		os.Exit(1)
	}
}

// parseCheckpoint reads origin, size and root hash: the first three lines of a C2SP checkpoint body.
// Extension lines after them are allowed, as the spec says.
func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return checkpoint{}, fmt.Errorf("want origin, size and root hash lines, each ending in a newline")
	}
	if lines[0] == "" {
		return checkpoint{}, fmt.Errorf("empty origin line")
	}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || lines[1] != strconv.FormatInt(n, 10) {
		return checkpoint{}, fmt.Errorf("size line %q is not a canonical decimal", lines[1])
	}
	h, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("root hash line %q is not 32 bytes of base64", lines[2])
	}
	return checkpoint{lines[0], tlog.Tree{N: n, Hash: h}}, nil
}

// openCheckpoint verifies the note's signature by the log key and parses its body.
func openCheckpoint(signed string, verifiers note.Verifiers, origin string) (checkpoint, error) {
	n, err := note.Open([]byte(signed), verifiers)
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %w", err)
	}
	return checkpointBody(n.Text, origin)
}

// checkpointBody parses a verified note's text; the log names its key after its origin.
func checkpointBody(text, origin string) (checkpoint, error) {
	cp, err := parseCheckpoint(text)
	if err != nil {
		return checkpoint{}, err
	}
	if cp.origin != origin {
		return checkpoint{}, fmt.Errorf("origin %q is not the key name %q", cp.origin, origin)
	}
	return cp, nil
}

func decodeHashes(b64s []string) ([]tlog.Hash, error) {
	hashes := make([]tlog.Hash, len(b64s))
	for i, s := range b64s {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return nil, fmt.Errorf("hash %d: %w", i, err)
		}
		hashes[i] = h
	}
	return hashes, nil
}

// memoryHashes is the tlog "stored hashes" layout of a whole log, held in memory.
type memoryHashes []tlog.Hash

func (m *memoryHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*m)) {
			return nil, fmt.Errorf("stored hash %d not present (have %d)", x, len(*m))
		}
		out[i] = (*m)[x]
	}
	return out, nil
}

func main() {
	var in input
	raw, err := io.ReadAll(os.Stdin)
	if err == nil {
		err = json.Unmarshal(raw, &in)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "sumdb-verify: unreadable input: %v\n", err)
		os.Exit(2)
	}
	var r result
	defer r.finish()

	verifier, err := note.NewVerifier(in.Vkey)
	if err != nil {
		r.fail("verifier-key", fmt.Errorf("note.NewVerifier: %w", err))
		return
	}
	r.pass("verifier-key", fmt.Sprintf("%s key hash %08x", verifier.Name(), verifier.KeyHash()))
	verifiers := note.VerifierList(verifier)

	opened, err := note.Open([]byte(in.Checkpoint), verifiers)
	if err != nil {
		r.fail("checkpoint-signature", fmt.Errorf("note.Open: %w", err))
		return
	}
	r.pass("checkpoint-signature", fmt.Sprintf("%d verified, %d other signatures", len(opened.Sigs), len(opened.UnverifiedSigs)))
	_, parseTreeErr := tlog.ParseTree([]byte(opened.Text))
	r.ParseTreeAcceptsNote = parseTreeErr == nil

	cp, err := checkpointBody(opened.Text, verifier.Name())
	if err != nil {
		r.fail("checkpoint-format", err)
		return
	}
	r.Origin, r.Size, r.Root = cp.origin, cp.tree.N, cp.tree.Hash.String()
	r.pass("checkpoint-format", fmt.Sprintf("origin %s, size %d", cp.origin, cp.tree.N))

	// Entries: exact bytes, hashed with tlog.RecordHash, stored with tlog.StoredHashes.
	if int64(len(in.Entries)) != cp.tree.N {
		r.fail("entries", fmt.Errorf("got %d entries for a tree of size %d", len(in.Entries), cp.tree.N))
		return
	}
	records := make([]tlog.Hash, len(in.Entries))
	var stored memoryHashes
	for i, b64 := range in.Entries {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			r.fail("entries", fmt.Errorf("entry %d: %w", i, err))
			return
		}
		records[i] = tlog.RecordHash(data)
		hashes, err := tlog.StoredHashes(int64(i), data, &stored)
		if err != nil {
			r.fail("entries", fmt.Errorf("tlog.StoredHashes(%d): %w", i, err))
			return
		}
		stored = append(stored, hashes...)
	}
	r.pass("entries", fmt.Sprintf("%d entries, %d stored hashes", len(records), len(stored)))

	if root, err := tlog.TreeHash(cp.tree.N, &stored); err != nil {
		r.fail("tree-hash", fmt.Errorf("tlog.TreeHash: %w", err))
	} else if root != cp.tree.Hash {
		r.fail("tree-hash", fmt.Errorf("recomputed root %s, checkpoint says %s", root, cp.tree.Hash))
	} else {
		r.pass("tree-hash", "recomputed from every entry")
	}

	// Inclusion: every entry must come with a proof against the checkpoint's tree.
	proven := make([]bool, len(records))
	for i, p := range in.Inclusion {
		name := fmt.Sprintf("inclusion[%d]", p.Index)
		proof, err := decodeHashes(p.Hashes)
		switch {
		case err != nil:
			r.fail(name, err)
		case p.Size != cp.tree.N:
			r.fail(name, fmt.Errorf("proof %d is for size %d; only the checkpoint's size %d has a signed root", i, p.Size, cp.tree.N))
		case p.Index < 0 || p.Index >= cp.tree.N:
			r.fail(name, fmt.Errorf("index outside the tree"))
		default:
			if err := tlog.CheckRecord(proof, p.Size, cp.tree.Hash, p.Index, records[p.Index]); err != nil {
				r.fail(name, fmt.Errorf("tlog.CheckRecord: %w", err))
			} else {
				proven[p.Index] = true
			}
		}
	}
	missing := []string{}
	for i, ok := range proven {
		if !ok {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		r.fail("inclusion", fmt.Errorf("no valid proof for entries %s", strings.Join(missing, ",")))
	} else {
		r.pass("inclusion", fmt.Sprintf("%d entries proven with tlog.CheckRecord", len(proven)))
	}

	// Consistency: an older signed checkpoint, its tree recomputed from the entries, and tlog.CheckTree.
	for i, c := range in.Consistency {
		name := fmt.Sprintf("consistency[%d]", i)
		older, err := openCheckpoint(c.FromNote, verifiers, verifier.Name())
		if err != nil {
			r.fail(name, fmt.Errorf("older checkpoint: %w", err))
			continue
		}
		proof, err := decodeHashes(c.Hashes)
		if err != nil {
			r.fail(name, err)
			continue
		}
		if c.From != older.tree.N || c.To != cp.tree.N {
			r.fail(name, fmt.Errorf("proof is %d->%d, checkpoints are %d->%d", c.From, c.To, older.tree.N, cp.tree.N))
			continue
		}
		if root, err := tlog.TreeHash(older.tree.N, &stored); err != nil || root != older.tree.Hash {
			r.fail(name, fmt.Errorf("older root %s is not the tree of the first %d entries (%s, %v)", older.tree.Hash, older.tree.N, root, err))
			continue
		}
		if err := tlog.CheckTree(proof, cp.tree.N, cp.tree.Hash, older.tree.N, older.tree.Hash); err != nil {
			r.fail(name, fmt.Errorf("tlog.CheckTree: %w", err))
			continue
		}
		r.pass(name, fmt.Sprintf("%d -> %d", older.tree.N, cp.tree.N))
	}
}
