// Package acrcheck holds the commands of the `docker acrcheck` CLI plugin: the diagnosis of a registry and
// the commands that explain and configure.
package acrcheck
