package serviceaccount

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock safe for concurrent use.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestNewJWTAccessSource(t *testing.T) {
	t.Parallel()
	k := testKey(t, "https://oauth2.example.com/token")
	tests := []struct {
		name string
		cfg  Config
		want map[string]any
		none []string
	}{
		{"audience", Config{Audience: "https://pubsub.googleapis.com/"},
			map[string]any{"aud": "https://pubsub.googleapis.com/"}, []string{"scope"}},
		{"scopes", Config{Scopes: []string{"https://www.googleapis.com/auth/cloud-platform"}},
			map[string]any{"scope": "https://www.googleapis.com/auth/cloud-platform"}, []string{"aud"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := &testClock{now: time.Unix(1_800_000_000, 0)}
			cfg := tt.cfg
			cfg.Now = clock.Now
			src, err := NewJWTAccessSource(k, &cfg)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			h, claims := verifyJWT(t, k, tok.AccessToken)
			if h.KID != "kid-1" {
				t.Errorf("kid %q", h.KID)
			}
			start := clock.Now()
			want := map[string]any{"iss": k.Email(), "sub": k.Email(),
				"iat": float64(start.Unix()), "exp": float64(start.Add(time.Hour).Unix())}
			for name, v := range tt.want {
				want[name] = v
			}
			for name, v := range want {
				if claims[name] != v {
					t.Errorf("claim %s = %v, want %v", name, claims[name], v)
				}
			}
			for _, name := range tt.none {
				if _, ok := claims[name]; ok {
					t.Errorf("claim %s present", name)
				}
			}
			if !tok.Expiry.Equal(start.Add(time.Hour)) {
				t.Errorf("expiry %v", tok.Expiry)
			}

			// Cached while fresh, signed again before it expires.
			clock.Add(30 * time.Minute)
			again, err := src.Token(context.Background())
			if err != nil || again != tok {
				t.Fatalf("fresh token not reused: %v", err)
			}
			clock.Add(29*time.Minute + 55*time.Second) // inside the safety margin
			renewed, err := src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if renewed.AccessToken == tok.AccessToken || !renewed.Expiry.After(tok.Expiry) {
				t.Errorf("not re-signed before expiry: expiry %v", renewed.Expiry)
			}
		})
	}
}

func TestNewJWTAccessSourceConfig(t *testing.T) {
	t.Parallel()
	k := testKey(t, "https://oauth2.example.com/token")
	for name, cfg := range map[string]*Config{
		"neither":    nil,
		"delegation": {Audience: "https://a.example.com/", Subject: "user@example.com"},
		"reserved":   {Audience: "https://a.example.com/", ExtraClaims: map[string]any{"iss": "x"}},
	} {
		if _, err := NewJWTAccessSource(k, cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", name, err)
		}
	}
}
