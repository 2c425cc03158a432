package azure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/acrdiag/acrdiag/internal/version"
)

// Client reads registries from Azure Resource Manager with one identity.
type Client struct {
	cred      azcore.TokenCredential
	cloud     cloud.Configuration
	ua        string
	transport policy.Transporter // netproxy's transport unless WithTransport gives one
}

// Option configures a Client.
type Option func(*Client)

// WithCloud selects the cloud by its azure-cli name (AzureCloud, AzureChinaCloud, AzureUSGovernment).
func WithCloud(name string) Option {
	return func(c *Client) {
		switch name {
		case "AzureChinaCloud":
			c.cloud = cloud.AzureChina
		case "AzureUSGovernment":
			c.cloud = cloud.AzureGovernment
		}
	}
}

// WithUserAgent names the product in every request.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// WithTransport sends every request through t (tests: the test kit's proxy and CA).
func WithTransport(t policy.Transporter) Option { return func(c *Client) { c.transport = t } }

// New returns a client; nothing touches the network until a read.
func New(cred azcore.TokenCredential, opts ...Option) *Client {
	c := &Client{cred: cred, cloud: cloud.AzurePublic, ua: version.UserAgent()}
	for _, o := range opts {
		o(c)
	}
	c.transport = transporter(c.transport)
	return c
}

// options are the SDK options of every ARM client: few retries, and none for a refusal (see retry.go), the
// product's user agent.
func (c *Client) options(apiVersion string) *arm.ClientOptions {
	return &arm.ClientOptions{ClientOptions: c.clientOptions(apiVersion)}
}

func (c *Client) clientOptions(apiVersion string) policy.ClientOptions {
	return policy.ClientOptions{
		Cloud:            c.cloud,
		APIVersion:       apiVersion,
		Retry:            retryOptions(),
		PerRetryPolicies: []policy.Policy{answerPolicy{}},
		Telemetry:        policy.TelemetryOptions{ApplicationID: c.ua},
		Transport:        c.transport,
	}
}

// Error is a read that ARM refused, with the role that would allow it.
type Error struct {
	Op     string // what was read, e.g. "read the registry"
	Status int
	Code   string // ARM's error code: AuthorizationFailed, ResourceNotFound, TooManyRequests...
	Action string // the permission ARM named, for AuthorizationFailed
	Msg    string
}

func (e *Error) Error() string {
	switch {
	case e.Denied():
		s := fmt.Sprintf("%s: no permission", e.Op)
		if e.Action != "" {
			s += " (" + e.Action + ")"
		}
		return s
	case e.Status == http.StatusTooManyRequests:
		return e.Op + ": Azure Resource Manager is throttling this identity (429 TooManyRequests); try again in a minute"
	case e.Code != "":
		return fmt.Sprintf("%s: %s: %s", e.Op, e.Code, e.Msg)
	}
	return fmt.Sprintf("%s: %d %s", e.Op, e.Status, e.Msg)
}

// Denied says the identity lacks a permission (as opposed to a missing resource or a fault).
func (e *Error) Denied() bool {
	return e.Status == http.StatusForbidden || e.Code == "AuthorizationFailed" || e.Code == "InsufficientAccessError"
}

// NotFound says the resource does not exist (or is not visible in that subscription).
func (e *Error) NotFound() bool { return e.Status == http.StatusNotFound }

// IsDenied says whether err is a refusal for lack of permission.
func IsDenied(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Denied()
}

// IsNotFound says whether err is ARM's 404.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.NotFound()
}

// wrap turns an SDK error into an *Error with ARM's code, keeping deadline and transport errors as they are.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: no answer from Azure before the deadline: %w", op, err)
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	e := &Error{Op: op, Status: re.StatusCode, Code: re.ErrorCode, Msg: armMessage(re)}
	if i := strings.Index(e.Msg, "perform action '"); i >= 0 {
		rest := e.Msg[i+len("perform action '"):]
		if j := strings.IndexByte(rest, '\''); j > 0 {
			e.Action = rest[:j]
		}
	}
	return e
}

// armMessage is the message of an ARM (or Log Analytics) error body, on one line.
func armMessage(re *azcore.ResponseError) string {
	if re.RawResponse == nil {
		return ""
	}
	body, _ := runtime.Payload(re.RawResponse)
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		return strings.Join(strings.Fields(e.Error.Message), " ")
	}
	return re.RawResponse.Status
}
