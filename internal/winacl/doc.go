// Package winacl keeps acrdiag's files on Windows as safe as their Unix modes keep them elsewhere: the
// machine's configuration only administrators may write (any user may create folders in %ProgramData%, so
// another user could plant one before an administrator does), and files only their user may read (the
// credentials file, like 0600). The decision about a security descriptor is plain Go, tested on every OS;
// reading and setting descriptors is Windows only, and a no-op elsewhere, where modes do the job.
package winacl
