// Package filelock serialises processes on a lock file: concurrent credential helpers (buildx runs them in
// parallel) take turns on a cache entry or the credentials file.
package filelock

import "errors"

// ErrTimeout is returned by Lock when another process still holds the lock at the deadline.
var ErrTimeout = errors.New("another process holds the lock")
