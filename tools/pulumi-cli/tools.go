//go:build tools

// Package tools records the CLI as a dependency of this module so that
// `go mod tidy` keeps its requirements and checksums in go.sum.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
