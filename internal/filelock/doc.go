// Package filelock serialises processes on a lock file: concurrent credential helpers (buildx runs them in
// parallel) take turns on a cache entry or the credentials file.
package filelock
