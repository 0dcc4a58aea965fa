// Small string helpers shared by the stages. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace docgen {

// "a, b, c"
std::string Join(const std::vector<std::string>& items, std::string_view separator = ", ");

// One token of a JSON Pointer: "~" -> "~0", "/" -> "~1".
std::string EscapePointerToken(std::string_view token);

// The candidate closest to `word` by edit distance when it is a plausible
// typo (distance at most 2, or 1 for short words); empty otherwise.
std::string SuggestClosest(std::string_view word, const std::vector<std::string>& candidates);

// 1-based line numbers of byte offsets in one text, in O(log lines) each.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  int LineOf(size_t offset) const;

 private:
  std::vector<size_t> line_starts_;
};

// Byte offset of the first invalid UTF-8 sequence, or npos when valid.
size_t FirstInvalidUtf8(std::string_view text);

// Nesting depth of JSON text ([ and { outside strings), without parsing it.
int JsonNestingDepth(std::string_view text);

// The shortest text that reads back as `value`, in %g style ("0.1", "2.5",
// "0.0005", "1e-05", "10"), and "+Inf", "-Inf", "NaN" as Prometheus writes them.
std::string ShortestNumber(double value);

// A number as a label value (a histogram's `le`), the way OpenMetrics and
// Prometheus 3 write it: ShortestNumber with ".0" on whole numbers ("1.0",
// "10.0", "0.1"), so what docgen exposes and what its rules select match.
std::string LabelNumber(double value);

// Text for XML or HTML, in content and in double-quoted attributes.
std::string EscapeXml(std::string_view text);

std::string Base64Encode(std::string_view bytes);
// Standard base64 with padding (RFC 4648 §4); nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

// "scheme://host[:port]/path?q" -> origin "scheme://host[:port]" and path "/path?q" ("/" when none).
struct UrlParts {
  std::string origin;
  std::string path;
};
UrlParts SplitUrl(const std::string& url);

// A length such as "0.75in", "2cm", "20mm" or "54pt" in points; nullopt when it is not one.
std::optional<double> ParseLengthPoints(const std::string& text);

// Fills `size` bytes from the kernel's CSPRNG (getrandom); false if it fails.
bool FillRandom(void* data, size_t size);
// `bytes` random bytes from the system's CSPRNG, as lower-case hex (ids, keys).
std::string RandomHex(size_t bytes);

// "sha256:<64 hex>" of `bytes`.
std::string Sha256Hex(std::string_view bytes);

// Incremental SHA-256 for digests over many pieces (nettle's).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view bytes);
  std::string HexDigest();  // finishes the hash; call once

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace docgen
