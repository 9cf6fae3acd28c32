#!/usr/bin/env bash
# scripts/test.sh: every test of the project. README.md's test command; .ci/run
# calls it after installing the components the tests use (PostgreSQL, a
# Secret Service, python3-oauth2client, oidc-provider, chromium). Outside CI, tests whose
# component is missing skip with a message naming it; with CI=true they fail.
set -euo pipefail
cd "$(dirname "$0")/.."

# go.work joins the repository's modules so that `go run ./examples/webapp`
# works from the root. Each module is tested on its own here, with the
# versions its own go.mod gives, as its users get it.
export GOWORK=off

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './testdata/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt: these files are not formatted:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go mod tidy -diff
go vet ./...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
# One run of every test. -v so that the reliability tests' figures (lines
# "reliability: ...": tries, failures, lost writes) are shown, not only "ok";
# the full output is kept and printed only when something fails.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! go test -race -v ./... >"$log" 2>&1; then
	grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|\s*--- (PASS|SKIP)|PASS$)' "$log" >&2
	exit 1
fi
grep -E 'reliability: ' "$log" | sed -E 's/^\s+[a-z0-9_]+\.go:[0-9]+: //' || true
grep -E '^\s*--- SKIP' "$log" || true
grep -E '^(ok|\?|FAIL)' "$log"
# The examples, the cloud.google.com/go/auth adapters and the comparison
# benchmarks are modules of their own (they pull in google.golang.org/api and
# cloud.google.com/go/auth), checked like the main one.
for mod in authadapt/go.mod examples/*/go.mod benchmarks/go.mod; do
	(cd "$(dirname "$mod")" && test -z "$(gofmt -l .)" && go mod tidy -diff && go vet ./... && go test -race ./...)
done
# scripts/bench-cli.sh's floor program, built as it builds it: with SQLite.
(cd benchmarks && go vet -tags sqlite ./tokenfloor && go test -race -tags sqlite ./tokenfloor)
# The README's web-app command, `go run ./examples/webapp --auto-approve`, from
# the root through go.work (examples/webapp's own tests run the app; here
# only that the command resolves and builds).
GOWORK= go build -o /dev/null ./examples/webapp
