package idp

import (
	"context"
	"encoding/json"
)

// Operations of the Cognito user-pools API that the embedded pool does not serve.
// Each is refused with UnsupportedOperationException and a message naming the
// operation and why, instead of a bare UnknownOperationException, so a setup script
// that calls one stops with a reason. The README lists them; a test checks that
// every operation of the AWS SDK's client is either served or listed here.
var notServed = map[string]string{
	"AddUserPoolClientSecret":              "client secret rotation",
	"DeleteUserPoolClientSecret":           "client secret rotation",
	"ListUserPoolClientSecrets":            "client secret rotation",
	"AdminLinkProviderForUser":             "federated sign-in (no hosted UI)",
	"AdminDisableProviderForUser":          "federated sign-in (no hosted UI)",
	"AdminSetUserSettings":                 "the legacy MFAOptions settings (use AdminSetUserMFAPreference)",
	"SetUserSettings":                      "the legacy MFAOptions settings (use SetUserMFAPreference)",
	"AdminUpdateAuthEventFeedback":         "threat-protection risk feedback",
	"UpdateAuthEventFeedback":              "threat-protection risk feedback",
	"DescribeRiskConfiguration":            "threat-protection risk configuration",
	"SetRiskConfiguration":                 "threat-protection risk configuration",
	"StartWebAuthnRegistration":            "passkeys (WebAuthn)",
	"CompleteWebAuthnRegistration":         "passkeys (WebAuthn)",
	"ListWebAuthnCredentials":              "passkeys (WebAuthn)",
	"DeleteWebAuthnCredential":             "passkeys (WebAuthn)",
	"CreateManagedLoginBranding":           "managed login branding (no hosted UI)",
	"DescribeManagedLoginBranding":         "managed login branding (no hosted UI)",
	"DescribeManagedLoginBrandingByClient": "managed login branding (no hosted UI)",
	"UpdateManagedLoginBranding":           "managed login branding (no hosted UI)",
	"DeleteManagedLoginBranding":           "managed login branding (no hosted UI)",
	"GetUICustomization":                   "hosted UI customization (no hosted UI)",
	"SetUICustomization":                   "hosted UI customization (no hosted UI)",
	"CreateTerms":                          "terms documents of managed login",
	"DescribeTerms":                        "terms documents of managed login",
	"ListTerms":                            "terms documents of managed login",
	"UpdateTerms":                          "terms documents of managed login",
	"DeleteTerms":                          "terms documents of managed login",
	"CreateUserImportJob":                  "CSV user import jobs",
	"DescribeUserImportJob":                "CSV user import jobs",
	"ListUserImportJobs":                   "CSV user import jobs",
	"StartUserImportJob":                   "CSV user import jobs",
	"StopUserImportJob":                    "CSV user import jobs",
	"CreateUserPoolReplica":                "multi-Region replicas",
	"ListUserPoolReplicas":                 "multi-Region replicas",
	"UpdateUserPoolReplica":                "multi-Region replicas",
	"DeleteUserPoolReplica":                "multi-Region replicas",
	"GetLogDeliveryConfiguration":          "log delivery to CloudWatch, S3 or Firehose",
	"SetLogDeliveryConfiguration":          "log delivery to CloudWatch, S3 or Firehose",
	"GetSigningCertificate":                "SAML signing certificates",
}

// NotServed returns the operations the pool refuses and why, by wire name.
func NotServed() map[string]string {
	out := make(map[string]string, len(notServed))
	for k, v := range notServed {
		out[k] = v
	}
	return out
}

// unservedOperations answers each operation of notServed with
// UnsupportedOperationException naming it.
func (s *Service) unservedOperations() map[string]Operation {
	m := make(map[string]Operation, len(notServed))
	for name, why := range notServed {
		e := newErr(TypeUnsupportedOperation, "%s is not served by the authbench embedded pool (%s); see the README's list of operations it does not serve.", name, why)
		m[name] = Operation{
			NewInput: func() any { return new(json.RawMessage) },
			Call:     func(context.Context, any) (any, error) { return nil, e },
		}
	}
	return m
}
