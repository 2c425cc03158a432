package helper

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/docker/docker-credential-helpers/credentials"

	"github.com/acrdiag/acrdiag/internal/version"
)

// Input limits: a server URL is short, credentials with an ACR token a few kilobytes. Larger input is not
// what Docker sends; it is cut before the protocol code sees it, so no line overflows its scanner.
const (
	maxServerInput = 8 << 10
	maxStoreInput  = 60 << 10
)

// Serve runs the credential helper protocol on os.Args, stdin and stdout, the way credentials.Serve does
// (errors on stdout, exit 1), with input bounded.
func Serve(h *Helper) {
	os.Exit(run(h, os.Args[1:], os.Stdin, os.Stdout))
}

func run(h *Helper, args []string, stdin io.Reader, stdout io.Writer) int {
	if len(args) != 1 {
		_, _ = fmt.Fprintf(stdout, "Usage: %s <store|get|erase|list|version>\n", credentials.Name)
		return 1
	}
	action := args[0]
	switch action {
	case "-v", "--version", credentials.ActionVersion:
		// The shape every acrdiag binary prints, not the protocol library's "NAME (PACKAGE) VERSION".
		_, _ = io.WriteString(stdout, version.Line(credentials.Name))
		return 0
	case "-h", "--help":
		_, _ = fmt.Fprintf(stdout, "Usage: %s <store|get|erase|list|version>\n", credentials.Name)
		return 0
	}
	var in io.Reader = bytes.NewReader(nil)
	switch action {
	case credentials.ActionGet, credentials.ActionErase:
		b, _ := io.ReadAll(io.LimitReader(stdin, maxServerInput+1))
		if len(b) > maxServerInput {
			b = nil // no registry has such a name
			if action == credentials.ActionGet {
				_, _ = fmt.Fprintln(stdout, credentials.NewErrCredentialsNotFound())
				return 1
			}
		}
		in = bytes.NewReader(b)
	case credentials.ActionStore:
		b, _ := io.ReadAll(io.LimitReader(stdin, maxStoreInput+1))
		if len(b) > maxStoreInput {
			_, _ = fmt.Fprintf(stdout, "acrdiag: the credentials to store are larger than %d KiB; no registry token is that large\n", maxStoreInput>>10)
			return 1
		}
		in = bytes.NewReader(b)
	}
	if err := credentials.HandleCommand(h, action, in, stdout); err != nil {
		_, _ = fmt.Fprintln(stdout, err)
		return 1
	}
	return 0
}
