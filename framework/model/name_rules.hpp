// Syntax rules for names, label keys and values, and CIDRs, shared by validation and label
// selectors. Each check returns an empty string when the text is fine, or the message to
// report (without the field path), e.g. `must be a DNS label: ...`.
//
// Ownership: values. Thread-safety: reentrant.
#pragma once

#include <string>
#include <string_view>

namespace maasprov::model {

// RFC 1123 label: at most 63 characters, lowercase letters, digits and '-', starting and
// ending with a letter or digit. Used for object names and namespaces.
std::string checkDnsLabel(std::string_view text);

// RFC 1123 subdomain: dot-separated DNS labels, at most 253 characters (e.g. a DNS domain).
std::string checkDnsSubdomain(std::string_view text);

// A label or annotation key: an optional DNS-subdomain prefix and '/', then a name of at most
// 63 characters: letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
std::string checkQualifiedName(std::string_view text);

// A label value: empty, or at most 63 characters of the same alphabet as a key's name part.
std::string checkLabelValue(std::string_view text);

// An IPv4 or IPv6 network in CIDR notation, e.g. 10.0.0.0/24 or fd00::/64.
std::string checkCidr(std::string_view text);

}  // namespace maasprov::model
