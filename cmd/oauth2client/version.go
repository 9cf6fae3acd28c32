package main

import "runtime/debug"

// version is the module version of the running binary, from its build
// information: a release tag such as v1.2.0 when built with
// 'go install ...@version', else "(devel)".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	return versionOf(bi)
}

// versionOf is the main module's version in bi, or "(devel)" when it has
// none.
func versionOf(bi *debug.BuildInfo) string {
	if bi == nil || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}
