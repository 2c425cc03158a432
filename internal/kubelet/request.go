package kubelet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// MaxRequestSize bounds what is read of stdin: a request is an image name, a service account token (a
// few KiB) and some annotations.
const MaxRequestSize = 1 << 20

// RequestError is a request acrdiag cannot answer: too big, not JSON, another API version or kind, no image.
type RequestError struct{ Reason string }

func (e *RequestError) Error() string { return "the kubelet's request on stdin " + e.Reason }

// ReadRequest reads one request from r.
func ReadRequest(r io.Reader) (Request, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxRequestSize+1))
	if err != nil {
		return Request{}, fmt.Errorf("read the kubelet's request on stdin: %w", err)
	}
	if len(b) > MaxRequestSize {
		return Request{}, &RequestError{fmt.Sprintf("is over %d bytes", MaxRequestSize)}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return Request{}, &RequestError{"is empty (the kubelet writes a " + RequestKind + " there)"}
	}
	var req Request
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&req); err != nil {
		return Request{}, &RequestError{"is not valid JSON: " + jsonProblem(b, err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Request{}, &RequestError{"holds more than one JSON value"}
	}
	switch {
	case req.APIVersion != APIVersion:
		return Request{}, &RequestError{fmt.Sprintf("has apiVersion %q; acrdiag speaks %s only (set apiVersion: %s for it in the CredentialProviderConfig)",
			req.APIVersion, APIVersion, APIVersion)}
	case req.Kind != RequestKind:
		return Request{}, &RequestError{fmt.Sprintf("has kind %q, not %s", req.Kind, RequestKind)}
	case strings.TrimSpace(req.Image) == "":
		return Request{}, &RequestError{"names no image"}
	}
	return req, nil
}

// jsonProblem says where the JSON goes wrong, without quoting the input (it may hold a token).
func jsonProblem(b []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n")) + 1
		return fmt.Sprintf("%s (line %d, byte %d)", se.Error(), line, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q is a JSON %s, not a %s", te.Field, te.Value, te.Type)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ends in the middle of a value"
	}
	return err.Error()
}
