package oauth2client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// The helpers in this file describe JSON input in error messages without
// quoting it: a client secrets file, a credentials file or a server
// response may hold secrets.

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// rawJSONKind names the JSON type of a raw value.
func rawJSONKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// jsonSyntaxOnly turns a decoding error into one that keeps its kind and
// offset but none of the input it may quote. A nil err (the input was the
// literal null) reads "null".
func jsonSyntaxOnly(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return errors.New("null")
	case errors.As(err, &se):
		return fmt.Errorf("syntax error at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("found a JSON %s", te.Value)
	}
	return errors.New("invalid JSON")
}

// responseString returns the string field name of a decoded server
// response: "" when absent or null, an error wrapping ErrMalformedResponse
// when it holds another JSON type.
func responseString(raw map[string]any, name string) (string, error) {
	v, ok := raw[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: field %q is %s, want a string", ErrMalformedResponse, name, jsonKind(v))
	}
	return s, nil
}
