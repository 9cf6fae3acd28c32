package serviceaccount

import (
	"fmt"
	"log/slog"
)

// String describes the key by its account and key id, never its private
// half: fmt's %v and %+v of a *Key (or of a struct holding one) show this.
func (k *Key) String() string {
	if k == nil {
		return "<nil serviceaccount.Key>"
	}
	return fmt.Sprintf("service account key %s (key id %q)", k.email, k.keyID)
}

// GoString is String, so that %#v does not print the private key either.
func (k *Key) GoString() string { return k.String() }

// LogValue implements [slog.LogValuer]: the account and the key id only.
func (k *Key) LogValue() slog.Value {
	if k == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("email", k.email), slog.String("key_id", k.keyID))
}
