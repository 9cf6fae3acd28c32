package keyring

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Item names. The main item of a key is named by the key itself; every
// other item of the store has a user name starting with reservedPrefix,
// which keys may therefore not use.
const (
	reservedPrefix = "__oauth2client/"
	indexName      = reservedPrefix + "index"
	manifestPrefix = "oauth2client-keyring-chunks/v1 "
)

// slots are the two chunk sets of a value: a write fills the slot the
// current manifest does not name, so the committed value is never touched
// before the new manifest replaces it.
var slots = [2]string{"a", "b"}

// chunkName is the user name of chunk i of slot for the item name.
func chunkName(name, slot string, i int) string {
	return reservedPrefix + slot + "/" + strconv.Itoa(i) + "/" + name
}

// manifest is what the main item holds when its value is split: the slot
// and number of chunks, and the length and SHA-256 of the whole value.
type manifest struct {
	slot string
	n    int
	size int
	sum  [sha256.Size]byte
}

func (m manifest) String() string {
	return fmt.Sprintf("%sslot=%s n=%d len=%d sha256=%s", manifestPrefix, m.slot, m.n, m.size, hex.EncodeToString(m.sum[:]))
}

// isManifest reports whether a main item's value is a manifest rather than
// the value itself. Credentials JSON starts with '{', so the two never mix.
func isManifest(v string) bool { return strings.HasPrefix(v, manifestPrefix) }

// errBadManifest is wrapped by parseManifest's errors.
var errBadManifest = errors.New("malformed chunk manifest")

// maxChunks bounds the number of chunks a manifest may name, so a damaged
// item cannot make a read loop for long: 4096 chunks of the smallest size
// hold 1 MiB.
const maxChunks = 4096

// parseManifest parses a manifest written by [manifest.String]. Its input
// comes from the keyring, which other programs can write: it checks every
// field and never echoes the input.
func parseManifest(v string) (manifest, error) {
	var m manifest
	rest, ok := strings.CutPrefix(v, manifestPrefix)
	if !ok {
		return m, fmt.Errorf("%w: missing header", errBadManifest)
	}
	fields := strings.Split(rest, " ")
	want := []string{"slot", "n", "len", "sha256"}
	if len(fields) != len(want) {
		return m, fmt.Errorf("%w: %d fields, want %d", errBadManifest, len(fields), len(want))
	}
	for i, f := range fields {
		name, val, ok := strings.Cut(f, "=")
		if !ok || name != want[i] {
			return m, fmt.Errorf("%w: field %d is not %s", errBadManifest, i+1, want[i])
		}
		switch name {
		case "slot":
			if val != slots[0] && val != slots[1] {
				return m, fmt.Errorf("%w: unknown slot", errBadManifest)
			}
			m.slot = val
		case "n":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > maxChunks {
				return m, fmt.Errorf("%w: chunk count not in 1..%d", errBadManifest, maxChunks)
			}
			m.n = n
		case "len":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > maxValueSize {
				return m, fmt.Errorf("%w: length not in 0..%d", errBadManifest, maxValueSize)
			}
			m.size = n
		case "sha256":
			b, err := hex.DecodeString(val)
			if err != nil || len(b) != sha256.Size {
				return m, fmt.Errorf("%w: bad sha256", errBadManifest)
			}
			copy(m.sum[:], b)
		}
	}
	return m, nil
}

// otherSlot returns the slot a write should fill when s is committed.
func otherSlot(s string) string {
	if s == slots[0] {
		return slots[1]
	}
	return slots[0]
}

// split cuts data into pieces of at most size bytes, never inside a UTF-8
// sequence, so every piece is a valid string when data is (size must be
// at least utf8.UTFMax).
func split(data []byte, size int) [][]byte {
	var out [][]byte
	for len(data) > size {
		cut := size
		for cut > size-utf8.UTFMax && !utf8.RuneStart(data[cut]) {
			cut--
		}
		out = append(out, data[:cut])
		data = data[cut:]
	}
	return append(out, data)
}
