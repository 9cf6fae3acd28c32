#!/usr/bin/env bash
# scripts/test.sh: every test of the project. README.md's test command; .ci/run
# calls it after installing the components the tests use (PostgreSQL, a
# Secret Service, python3-oauth2client, oidc-provider). Outside CI, tests whose
# component is missing skip with a message naming it; with CI=true they fail.
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './testdata/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt: these files are not formatted:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go mod tidy -diff
go vet ./...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
go test -race ./...
# The examples are modules of their own (they pull in google.golang.org/api).
for mod in examples/*/go.mod; do
	(cd "$(dirname "$mod")" && go mod tidy -diff && go vet ./... && go test ./...)
done
