package cause

// entraCodes maps the Entra ID (AADSTS) error codes users meet to causes. Both the renewal's classifier and
// explain read it, so an Entra answer means the same thing wherever it shows.
var entraCodes = map[string]string{
	"7000222": AuthSPSecretExpired,    // the client secret expired
	"7000215": AuthInvalidCredentials, // invalid client secret
	"7000218": AuthInvalidCredentials, // client_assertion or client_secret missing
	"700027":  AuthInvalidCredentials, // client assertion signature or certificate invalid
	"70021":   AuthFederatedMismatch,  // no matching federated identity record
	"700211":  AuthFederatedMismatch,  // no matching federated identity record for the issuer
	"700212":  AuthFederatedMismatch,  // no matching federated identity record for the audience
	"700213":  AuthFederatedMismatch,  // no matching federated identity record for the subject
	"50126":   AuthInvalidCredentials, // invalid username or password
	"50034":   AuthInvalidCredentials, // the user account does not exist in the directory
	"700016":  AuthAppNotRegistered,   // application not found in the directory
	"90002":   AuthAppNotRegistered,   // tenant not found
	"50020":   AuthAppNotRegistered,   // the user is not in this tenant
	"90072":   AuthAppNotRegistered,   // the account does not exist in the tenant
	"7000112": AuthAppNotRegistered,   // the application is disabled
	"700024":  AuthTokenExpired,       // client assertion (federated token) expired
	"700082":  AuthTokenExpired,       // refresh token expired due to inactivity
	"70043":   AuthTokenExpired,       // refresh token expired by sign-in frequency
	"50173":   AuthTokenExpired,       // grant expired because the password changed
	"50076":   AuthTokenExpired,       // multi-factor authentication required again
	"50078":   AuthTokenExpired,       // multi-factor authentication expired
	"50079":   AuthTokenExpired,       // multi-factor enrolment required
	"50058":   AuthNoIdentity,         // no signed-in session
	"500011":  AuthAudienceRejected,   // resource principal not found in the tenant
	"50001":   AuthAudienceRejected,   // resource disabled or does not exist
	"650057":  AuthAudienceRejected,   // the resource is not in the app's required permissions
}

// ForEntraCode is the cause of an AADSTS code (the digits only), ok false when none is known.
func ForEntraCode(code string) (id string, ok bool) {
	id, ok = entraCodes[code]
	return id, ok
}
