package file

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
	"github.com/oauth2client/oauth2client/store"
)

// Format is the layout of a credentials file.
type Format int

const (
	// FormatGo is this package's many-credential format:
	// {"oauth2client_go": 1, "credentials": {KEY: CREDENTIALS}}, where each
	// CREDENTIALS is the credentials JSON object, indented by two spaces
	// with sorted keys.
	FormatGo Format = iota
	// FormatSingle is one credential: the credentials JSON object itself,
	// as Python oauth2client's file.Storage writes it.
	FormatSingle
	// FormatMultiprocess is Python oauth2client's
	// contrib.multiprocess_file_storage file:
	// {"file_version": 2, "credentials": {KEY: base64(CREDENTIALS)}}.
	FormatMultiprocess
	// FormatMultistore is Python oauth2client's contrib.multistore_file file:
	// {"file_version": 1, "data": [{"key": {...}, "credential": {...}}]},
	// sorted keys, indented by two spaces.
	FormatMultistore
)

// String returns the format's name.
func (f Format) String() string {
	switch f {
	case FormatGo:
		return "oauth2client-go v1"
	case FormatSingle:
		return "oauth2client file.Storage (one credential)"
	case FormatMultiprocess:
		return "oauth2client multiprocess_file_storage (file_version 2)"
	case FormatMultistore:
		return "oauth2client multistore_file (file_version 1)"
	}
	return "Format(" + strconv.Itoa(int(f)) + ")"
}

// goVersionField names the version field of FormatGo; goVersion is the
// version this package reads and writes.
const (
	goVersionField = "oauth2client_go"
	goVersion      = 1
)

// entry is one stored credential, kept as the JSON object read, so that
// entries and fields this package does not understand are written back as
// they were.
type entry struct {
	key  string
	cred json.RawMessage // the credentials JSON object
	// item is the whole multistore data item ({"key", "credential", ...}),
	// nil for other formats and for new entries.
	item map[string]json.RawMessage
}

// doc is a parsed credentials file.
type doc struct {
	format  Format
	empty   bool                       // the file was missing or 0 bytes
	extra   map[string]json.RawMessage // top-level fields besides ours
	entries []entry                    // in file order; keys unique
}

func (d *doc) find(key string) int {
	for i := range d.entries {
		if d.entries[i].key == key {
			return i
		}
	}
	return -1
}

func (d *doc) keys() []string {
	ks := make([]string, 0, len(d.entries))
	for _, e := range d.entries {
		ks = append(ks, e.key)
	}
	slices.Sort(ks)
	return ks
}

func (d *doc) set(key string, cred json.RawMessage) {
	if i := d.find(key); i >= 0 {
		d.entries[i].cred = cred
		return
	}
	d.entries = append(d.entries, entry{key: key, cred: cred})
}

func (d *doc) remove(key string) bool {
	i := d.find(key)
	if i < 0 {
		return false
	}
	d.entries = slices.Delete(d.entries, i, i+1)
	return true
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// describeJSONError says what is wrong with data that failed to decode.
func describeJSONError(data []byte, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se) && se.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))):
		return corrupt("JSON ends early at byte %d of %d (truncated?)", se.Offset, len(data))
	case errors.As(err, &se):
		return corrupt("invalid JSON at byte %d: %s", se.Offset, se.Error())
	}
	return corrupt("invalid JSON: %s", err.Error())
}

// jsonKind names the JSON type of raw for error messages.
func jsonKind(raw json.RawMessage) string {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 {
		return "nothing"
	}
	switch t[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func isObject(raw json.RawMessage) bool {
	t := bytes.TrimLeft(raw, " \t\r\n")
	return len(t) > 0 && t[0] == '{'
}

// parse reads a credentials file's contents. A 0-byte file is an empty
// store in format def (see package doc).
func parse(data []byte, def Format) (*doc, error) {
	if len(data) == 0 {
		return &doc{format: def, empty: true}, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return nil, corrupt("the file holds %s, want a JSON object", jsonKind(data))
		}
		return nil, describeJSONError(data, err)
	}
	if top == nil {
		return nil, corrupt("the file holds null, want a JSON object")
	}
	switch {
	case top[goVersionField] != nil:
		return parseGo(top)
	case top["file_version"] != nil:
		v, err := number(top, "file_version")
		if err != nil {
			return nil, err
		}
		switch v.String() {
		case "1":
			return parseMultistore(top)
		case "2":
			return parseMultiprocess(top)
		}
		return nil, corrupt("unsupported file_version %s (oauth2client wrote 1 and 2)", urlpolicy.Clip(v.String(), 40))
	}
	if top["_class"] == nil && top["access_token"] == nil && top["client_id"] == nil && top["refresh_token"] == nil {
		return nil, corrupt("a JSON object of no known format (no %s, file_version or credentials fields)", goVersionField)
	}
	// One credential: the credentials JSON object itself.
	return &doc{format: FormatSingle, entries: []entry{{key: SingleKey, cred: json.RawMessage(data)}}}, nil
}

// number reads the version field name of top, which must be a JSON number.
func number(top map[string]json.RawMessage, name string) (json.Number, error) {
	var v json.Number
	if jsonKind(top[name]) != "a number" || json.Unmarshal(top[name], &v) != nil {
		return "", corrupt("%s is %s, want a number", name, jsonKind(top[name]))
	}
	return v, nil
}

func parseGo(top map[string]json.RawMessage) (*doc, error) {
	v, err := number(top, goVersionField)
	if err != nil {
		return nil, err
	}
	if v.String() != strconv.Itoa(goVersion) {
		return nil, corrupt("unsupported %s version %s (this program reads %d)", goVersionField, urlpolicy.Clip(v.String(), 40), goVersion)
	}
	d := &doc{format: FormatGo, extra: without(top, goVersionField, "credentials")}
	creds, err := objectField(top, "credentials")
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(creds) {
		if !isObject(creds[k]) {
			return nil, corrupt("credentials[%q] is %s, want an object", urlpolicy.Clip(k, 40), jsonKind(creds[k]))
		}
		d.entries = append(d.entries, entry{key: k, cred: creds[k]})
	}
	return d, nil
}

func parseMultiprocess(top map[string]json.RawMessage) (*doc, error) {
	d := &doc{format: FormatMultiprocess, extra: without(top, "file_version", "credentials")}
	creds, err := objectField(top, "credentials")
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(creds) {
		var s string
		if err := json.Unmarshal(creds[k], &s); err != nil {
			return nil, corrupt("credentials[%q] is %s, want a base64 string", urlpolicy.Clip(k, 40), jsonKind(creds[k]))
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, corrupt("credentials[%q] is not valid base64", urlpolicy.Clip(k, 40))
		}
		if !json.Valid(b) || !isObject(b) {
			return nil, corrupt("credentials[%q] does not decode to a JSON object", urlpolicy.Clip(k, 40))
		}
		d.entries = append(d.entries, entry{key: k, cred: b})
	}
	return d, nil
}

func parseMultistore(top map[string]json.RawMessage) (*doc, error) {
	d := &doc{format: FormatMultistore, extra: without(top, "file_version", "data")}
	raw, ok := top["data"]
	if !ok {
		// Python's multistore reads a missing "data" as no entries.
		return d, nil
	}
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, corrupt("data is %s, want an array of objects", jsonKind(raw))
	}
	for i, item := range items {
		if item == nil {
			return nil, corrupt("data[%d] is not an object", i)
		}
		key, err := multistoreKey(item["key"])
		if err != nil {
			return nil, corrupt("data[%d].key: %v", i, err)
		}
		cred := item["credential"]
		if !isObject(cred) {
			return nil, corrupt("data[%d].credential is %s, want an object", i, jsonKind(cred))
		}
		// As in Python, where the entries become a dict, a later entry
		// with the same key wins.
		if j := d.find(key); j >= 0 {
			d.entries = slices.Delete(d.entries, j, j+1)
		}
		d.entries = append(d.entries, entry{key: key, cred: cred, item: item})
	}
	return d, nil
}

// multistoreKey maps a multistore key dict to a string key: {"key": S}
// is S; any other dict, the classic {clientId, userAgent, scope} among
// them, is its canonical JSON (see store.ClassicKey).
func multistoreKey(raw json.RawMessage) (string, error) {
	if !isObject(raw) {
		return "", fmt.Errorf("is %s, want an object", jsonKind(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return "", err
	}
	if s, ok := m["key"].(string); ok && len(m) == 1 {
		return s, nil
	}
	return store.CanonicalJSON(m)
}

// multistoreKeyDict is the reverse of multistoreKey for a new entry: a key
// that is the canonical JSON of an object other than {"key": S} becomes
// that object, any other key S becomes {"key": S}.
func multistoreKeyDict(key string) json.RawMessage {
	if strings.HasPrefix(key, "{") {
		dec := json.NewDecoder(strings.NewReader(key))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) == nil && !dec.More() {
			if c, err := store.CanonicalJSON(m); err == nil && c == key {
				if _, isKey := m["key"].(string); !isKey || len(m) != 1 {
					return json.RawMessage(key)
				}
			}
		}
	}
	b, _ := marshal(map[string]string{"key": key}, false)
	return b
}

func objectField(top map[string]json.RawMessage, name string) (map[string]json.RawMessage, error) {
	raw, ok := top[name]
	if !ok {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || !isObject(raw) {
		return nil, corrupt("%s is %s, want an object", name, jsonKind(raw))
	}
	return m, nil
}

func without(m map[string]json.RawMessage, names ...string) map[string]json.RawMessage {
	var out map[string]json.RawMessage
	for k, v := range m {
		if slices.Contains(names, k) {
			continue
		}
		if out == nil {
			out = make(map[string]json.RawMessage)
		}
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// marshal writes v as JSON without HTML escaping, indented by two spaces
// when indent is set, with a final newline when indented.
func marshal(v any, indent bool) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := b.Bytes()
	if !indent {
		out = bytes.TrimSuffix(out, []byte("\n"))
	}
	return out, nil
}

// encode writes d in its format.
func (d *doc) encode() ([]byte, error) {
	top := make(map[string]any, len(d.extra)+2)
	for k, v := range d.extra {
		top[k] = v
	}
	switch d.format {
	case FormatSingle:
		if len(d.entries) == 0 {
			return nil, nil
		}
		return reindent(d.entries[0].cred)
	case FormatGo:
		creds := make(map[string]json.RawMessage, len(d.entries))
		for _, e := range d.entries {
			creds[e.key] = e.cred
		}
		top[goVersionField] = goVersion
		top["credentials"] = creds
		return marshal(top, true)
	case FormatMultiprocess:
		// Python writes json.dump of the dict: compact enough; we write
		// compact JSON with sorted keys.
		creds := make(map[string]string, len(d.entries))
		for _, e := range d.entries {
			c, err := compact(e.cred)
			if err != nil {
				return nil, err
			}
			creds[e.key] = base64.StdEncoding.EncodeToString(c)
		}
		top["file_version"] = 2
		top["credentials"] = creds
		return marshal(top, false)
	case FormatMultistore:
		items := make([]map[string]json.RawMessage, 0, len(d.entries))
		for _, e := range d.entries {
			item := make(map[string]json.RawMessage, len(e.item)+2)
			for k, v := range e.item {
				item[k] = v
			}
			if item["key"] == nil {
				item["key"] = multistoreKeyDict(e.key)
			}
			item["credential"] = e.cred
			items = append(items, item)
		}
		top["file_version"] = 1
		top["data"] = items
		return marshal(top, true)
	}
	return nil, fmt.Errorf("unknown format %v", d.format)
}

func compact(raw json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func reindent(raw json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// credentialJSON returns the JSON object to store for c's marshalled form
// next, keeping the fields of old (the entry it replaces in an Update) that
// next does not have, so that fields this package does not know survive a
// refresh. Keys come out sorted.
func credentialJSON(next []byte, old json.RawMessage) (json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(next, &m); err != nil {
		return nil, err
	}
	if old != nil {
		var o map[string]json.RawMessage
		if json.Unmarshal(old, &o) == nil {
			for k, v := range o {
				if _, ok := m[k]; !ok && !slices.Contains(knownFields, k) {
					m[k] = v
				}
			}
		}
	}
	return marshal(m, false)
}

// knownFields are the credentials JSON fields oauth2client.CredentialsState
// reads and writes; an Update never carries them over from the old entry,
// even when the new value omits them.
var knownFields = []string{"access_token", "client_id", "client_secret", "refresh_token",
	"token_expiry", "token_uri", "user_agent", "revoke_uri", "id_token", "id_token_jwt",
	"token_response", "scopes", "token_info_uri", "invalid", "_class", "_module",
	"introspection_uri", "auth_style", "extensions"}
