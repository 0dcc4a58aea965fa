#include "jobs/webhook.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/text.h"

namespace docgen {

std::string SignWebhook(const std::string& secret, const std::string& id, int64_t timestamp_seconds, const std::string& body) {
  const std::string content = id + "." + std::to_string(timestamp_seconds) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &length);
  return "v1," + Base64Encode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

}  // namespace docgen
