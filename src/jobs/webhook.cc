#include "jobs/webhook.h"

#include <nettle/hmac.h>

#include "util/text.h"

namespace docgen {

std::string SignWebhook(const std::string& secret, const std::string& id, int64_t timestamp_seconds, const std::string& body) {
  const std::string content = id + "." + std::to_string(timestamp_seconds) + "." + body;
  hmac_sha256_ctx ctx;
  hmac_sha256_set_key(&ctx, secret.size(), reinterpret_cast<const uint8_t*>(secret.data()));
  hmac_sha256_update(&ctx, content.size(), reinterpret_cast<const uint8_t*>(content.data()));
  uint8_t mac[SHA256_DIGEST_SIZE];
  hmac_sha256_digest(&ctx, sizeof mac, mac);
  return "v1," + Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

}  // namespace docgen
