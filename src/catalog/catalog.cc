#include <docgen/catalog.h>

#include <algorithm>

namespace docgen {
namespace {
bool In(const std::vector<std::string>& codes, std::string_view code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}
}  // namespace

const char* ToString(Transaction transaction) {
  switch (transaction) {
    case Transaction::kNew:
      return "new";
    case Transaction::kRenewal:
      return "renewal";
    case Transaction::kReissue:
      return "reissue";
  }
  return "new";
}

const char* ToString(AttachMode mode) {
  switch (mode) {
    case AttachMode::kNo:
      return "no";
    case AttachMode::kYes:
      return "yes";
    case AttachMode::kCopy:
      return "copy";
  }
  return "no";
}

const char* ToString(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kDeclarations:
      return "declarations";
    case DocumentKind::kForm:
      return "form";
    case DocumentKind::kEndorsement:
      return "endorsement";
    case DocumentKind::kNotice:
      return "notice";
  }
  return "form";
}

bool Catalog::HasProduct(std::string_view code) const { return In(products, code); }
bool Catalog::HasJurisdiction(std::string_view code) const { return In(jurisdictions, code); }
bool Catalog::HasAgency(std::string_view code) const { return In(agencies, code); }
bool Catalog::HasCoverage(std::string_view code) const {
  return std::any_of(coverages.begin(), coverages.end(), [&](const Coverage& c) { return c.code == code; });
}

std::vector<const DocumentEdition*> Catalog::EditionsOf(std::string_view id) const {
  std::vector<const DocumentEdition*> out;
  auto it = std::lower_bound(editions.begin(), editions.end(), id,
                             [](const DocumentEdition& e, std::string_view key) { return e.id < key; });
  for (; it != editions.end() && it->id == id; ++it) out.push_back(&*it);
  return out;
}

const Rule* Catalog::FindRule(std::string_view id) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), id, [](const Rule& r, std::string_view key) { return r.id < key; });
  return it != rules.end() && it->id == id ? &*it : nullptr;
}

}  // namespace docgen
