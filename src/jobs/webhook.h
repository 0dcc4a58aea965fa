// Webhook signing by the Standard Webhooks convention: headers webhook-id,
// webhook-timestamp (seconds) and webhook-signature = "v1," + base64 of
// HMAC-SHA256(secret, id + "." + timestamp + "." + body). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace docgen {

// `secret` is the raw key (for "whsec_<base64>" pass the decoded bytes).
std::string SignWebhook(const std::string& secret, const std::string& id, int64_t timestamp_seconds, const std::string& body);

}  // namespace docgen
