#!/usr/bin/env bash
# bench-cli.sh measures 'oauth2client token' with a fresh stored token
# against 'cat' of the store file (issue 12: "Speed and size of token").
#
# It builds the command into a temp folder as the README installs it
# (CGO_ENABLED=0), and once more with cgo as a plain 'go install' on a
# machine with a C compiler does; starts 'oauth2client serve' on
# 127.0.0.1, logs in twice (a file store and an SQLite store) through the
# printed URL, stops the server (a fresh token needs no network), then
# times token and cat alternately (one run of each in turn, by a small Go
# program built here) and prints per store and build the medians, their
# ratio and the max RSS of token (/usr/bin/time -v); hyperfine's figures
# (one command after the other) are printed too when it is installed.
#
# For scale it also times, the same way:
#   floor   benchmarks/tokenfloor: the core of token's work (client
#           secrets, store key, open, bind, print) from the same packages,
#           in a program that links nothing else (it skips the checks and
#           settings token adds: see its doc); with -tags sqlite it links
#           store/sqlstore/sqlite too. What oauth2client costs above it is the
#           start-up of everything else it links.
#   hello   a Go hello world: the floor of any Go program;
#   hello+http  the same linking net/http, as any program that refreshes a
#           token over HTTPS does.
#
# Usage: scripts/bench-cli.sh [RUNS [HYPERFINE_RUNS]]   (default 400 and 100)
# Environment: GO (default go); CGO_ENABLED (default 0) and GOFLAGS pass
# to the main build; LDFLAGS, when set, is given as -ldflags (e.g.
# LDFLAGS='-s -w').
#
# Needs: go, curl; /usr/bin/time (apt-get install time) for the RSS;
# hyperfine (apt-get install hyperfine) is optional; a C compiler for the
# cgo rows (skipped without one). Benchmarks are not timed tests: CI does
# not run this script.
set -euo pipefail

runs=${1:-400}
hruns=${2:-100}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
serve_pid=
login_pid=
cleanup() {
	if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; fi
	if [ -n "$login_pid" ]; then kill "$login_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null || { echo "bench-cli: $1 is missing: $2" >&2; exit 1; }; }
need "${GO:-go}" "install Go"
need curl "apt-get install curl"

bin=$tmp/oauth2client
build=("${GO:-go}" build)
if [ -n "${LDFLAGS:-}" ]; then build+=(-ldflags "$LDFLAGS"); fi
cgo=${CGO_ENABLED:-0}
(cd "$here" && CGO_ENABLED=$cgo "${build[@]}" -o "$bin" ./cmd/oauth2client)
echo "binary: $(stat -c %s "$bin") bytes ($(cd "$here" && "${GO:-go}" version)); CGO_ENABLED=$cgo${LDFLAGS:+ -ldflags '$LDFLAGS'}"
cgobin=
if [ "$cgo" != 1 ] && [ "$(cd "$here" && CGO_ENABLED= "${GO:-go}" env CGO_ENABLED)" = 1 ]; then
	cgobin=$tmp/oauth2client.cgo
	(cd "$here" && CGO_ENABLED=1 "${build[@]}" -o "$cgobin" ./cmd/oauth2client)
	echo "binary with cgo (a plain go install here): $(stat -c %s "$cgobin") bytes"
fi
# The floor programs: GOWORK=off, as the benchmarks module's own go.mod says.
(cd "$here/benchmarks" && GOWORK=off CGO_ENABLED=$cgo "${GO:-go}" build -o "$tmp/floor" ./tokenfloor &&
	GOWORK=off CGO_ENABLED=$cgo "${GO:-go}" build -tags sqlite -o "$tmp/floor.sqlite" ./tokenfloor)

cd "$tmp"
"$bin" serve --auto-approve --addr 127.0.0.1:0 --client-secrets-out cs.json >serve.out 2>serve.err &
serve_pid=$!
for _ in $(seq 100); do [ -s serve.out ] && [ -s cs.json ] && break; sleep 0.1; done
[ -s serve.out ] || { echo "bench-cli: serve did not start:" >&2; cat serve.err >&2; exit 1; }

# login STORE: logs in with the client of cs.json, following the printed URL.
login() {
	"$bin" login --client-secrets cs.json --scope openid --no-browser --store "$1" 2>login.err &
	login_pid=$!
	local url=
	for _ in $(seq 100); do
		url=$(grep -m1 '^http' login.err || true)
		[ -n "$url" ] && break
		sleep 0.1
	done
	[ -n "$url" ] || { echo "bench-cli: login printed no URL:" >&2; cat login.err >&2; exit 1; }
	curl -sfL -o /dev/null "$url"
	wait "$login_pid" || { echo "bench-cli: login failed:" >&2; cat login.err >&2; exit 1; }
	login_pid=
}
login file:creds.json
login sqlite:creds.db
kill "$serve_pid" && wait "$serve_pid" 2>/dev/null || true
serve_pid=

args=(--client-secrets cs.json --scope openid --store)
tok=("$bin" token "${args[@]}")
for s in file:creds.json sqlite:creds.db; do
	"${tok[@]}" "$s" >/dev/null || { echo "bench-cli: token --store $s failed" >&2; exit 1; }
	want=$("${tok[@]}" "$s")
	got=$("$tmp/floor.sqlite" "${args[@]}" "$s") || { echo "bench-cli: tokenfloor --store $s failed" >&2; exit 1; }
	[ "$got" = "$want" ] || { echo "bench-cli: tokenfloor --store $s printed another token than token" >&2; exit 1; }
done

# The timer: a Go program that runs token and cat alternately, one run
# each in turn, and prints the medians (robust on a shared machine).
mkdir alt && cat >alt/main.go <<'EOF2'
package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// run runs args with stdout discarded and returns its wall time.
func run(args []string) time.Duration {
	cmd := exec.Command(args[0], args[1:]...)
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "alt: %s: %v\n", args[0], err)
		os.Exit(1)
	}
	return time.Since(start)
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// alt N WARMUP -- CMD1 -- CMD2: medians of N alternate runs of each.
func main() {
	n, _ := strconv.Atoi(os.Args[1])
	warm, _ := strconv.Atoi(os.Args[2])
	rest := strings.Join(os.Args[4:], "\x00")
	a, b, _ := strings.Cut(rest, "\x00--\x00")
	cmdA, cmdB := strings.Split(a, "\x00"), strings.Split(b, "\x00")
	for range warm {
		run(cmdA)
		run(cmdB)
	}
	var ta, tb []time.Duration
	for range n {
		ta = append(ta, run(cmdA))
		tb = append(tb, run(cmdB))
	}
	ma, mb := median(ta), median(tb)
	fmt.Printf("%.3f %.3f %.2f\n", ma.Seconds()*1000, mb.Seconds()*1000, float64(ma)/float64(mb))
}
EOF2
(cd alt && printf 'module alt\n\ngo 1.22\n' >go.mod && "${GO:-go}" build -o ../alt.bin .)
mkdir hello && printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >hello/main.go
(cd hello && printf 'module hello\n\ngo 1.22\n' >go.mod && CGO_ENABLED=$cgo "${GO:-go}" build -o ../hello.bin .)
mkdir hellohttp && printf 'package main\n\nimport (\n\t"net/http"\n\t"os"\n)\n\nvar _ = http.DefaultClient\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' >hellohttp/main.go
(cd hellohttp && printf 'module hellohttp\n\ngo 1.22\n' >go.mod && CGO_ENABLED=$cgo "${GO:-go}" build -o ../hellohttp.bin .)
if command -v hyperfine >/dev/null; then
	echo "hyperfine is installed; the ratio below comes from alternate runs (see alt/main.go); hyperfine's runs one command after the other:"
	hyperfine -N --style basic --warmup 10 --runs "$hruns" "${tok[*]} file:creds.json" "cat creds.json" \
		"${tok[*]} sqlite:creds.db" "cat creds.db" 2>&1 | grep -E 'Benchmark|Time' || true
else
	echo "hyperfine is missing (apt-get install hyperfine): only the alternate runs below"
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench-cli: /usr/bin/time is missing (apt-get install time): no RSS figures"
fi

# bench NAME FILE CMD...: CMD vs cat FILE, alternately; max RSS of CMD.
bench() {
	local name=$1 file=$2 rss=0 r out
	shift 2
	out=$(./alt.bin "$runs" 20 -- "$@" -- cat "$file")
	if [ -x /usr/bin/time ]; then
		for _ in $(seq 10); do
			r=$(/usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident/ { print $NF }')
			[ -n "$r" ] && [ "$r" -gt "$rss" ] && rss=$r
		done
	fi
	read -r t c ratio <<<"$out"
	printf '%-14s %s ms, cat %s ms (medians of %d alternate runs): ratio %sx; max RSS %s KiB (%.1f MiB)\n' \
		"$name" "$t" "$c" "$runs" "$ratio" "$rss" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
}
echo "token (CGO_ENABLED=$cgo):"
bench file creds.json "${tok[@]}" file:creds.json
bench sqlite creds.db "${tok[@]}" sqlite:creds.db
if [ -n "$cgobin" ]; then
	echo "token (with cgo):"
	bench file creds.json "$cgobin" token "${args[@]}" file:creds.json
	bench sqlite creds.db "$cgobin" token "${args[@]}" sqlite:creds.db
fi
echo "floors (CGO_ENABLED=$cgo):"
bench floor-file creds.json "$tmp/floor" "${args[@]}" file:creds.json
bench floor+sqlite creds.json "$tmp/floor.sqlite" "${args[@]}" file:creds.json
bench floor-sqlite creds.db "$tmp/floor.sqlite" "${args[@]}" sqlite:creds.db
bench hello creds.json ./hello.bin
bench hello+http creds.json ./hellohttp.bin
echo "targets (issue 12): file <= 2.5x cat and <= 8 MiB; sqlite <= 3x cat"
