#include <docgen/catalog.h>

#include <algorithm>

namespace docgen {
namespace {
bool In(const std::vector<std::string>& codes, std::string_view code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

int IndexOf(const std::vector<std::string>& codes, std::string_view code) {
  auto it = std::find(codes.begin(), codes.end(), code);
  return it == codes.end() ? -1 : static_cast<int>(it - codes.begin());
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

void CodeSet::Add(int index) {
  if (index < 0) return;
  if (index < 64) {
    first_ |= uint64_t{1} << index;
    return;
  }
  const size_t word = static_cast<size_t>(index) / 64 - 1;
  if (rest_.size() <= word) rest_.resize(word + 1, 0);
  rest_[word] |= uint64_t{1} << (index % 64);
}

bool CodeSet::Intersects(const CodeSet& other) const {
  if ((first_ & other.first_) != 0) return true;
  for (size_t i = 0; i < rest_.size() && i < other.rest_.size(); ++i) {
    if ((rest_[i] & other.rest_[i]) != 0) return true;
  }
  return false;
}

bool CodeSet::SubsetOf(const CodeSet& other) const {
  if ((first_ & ~other.first_) != 0) return false;
  for (size_t i = 0; i < rest_.size(); ++i) {
    if ((rest_[i] & ~(i < other.rest_.size() ? other.rest_[i] : 0)) != 0) return false;
  }
  return true;
}

int Catalog::ProductIndex(std::string_view code) const { return IndexOf(products, code); }
int Catalog::JurisdictionIndex(std::string_view code) const { return IndexOf(jurisdictions, code); }
int Catalog::AgencyIndex(std::string_view code) const { return IndexOf(agencies, code); }
int Catalog::CoverageIndex(std::string_view code) const {
  auto it = std::find_if(coverages.begin(), coverages.end(), [&](const Coverage& c) { return c.code == code; });
  return it == coverages.end() ? -1 : static_cast<int>(it - coverages.begin());
}

bool Catalog::HasProduct(std::string_view code) const { return In(products, code); }
bool Catalog::HasJurisdiction(std::string_view code) const { return In(jurisdictions, code); }
bool Catalog::HasAgency(std::string_view code) const { return In(agencies, code); }
bool Catalog::HasCoverage(std::string_view code) const {
  return std::any_of(coverages.begin(), coverages.end(), [&](const Coverage& c) { return c.code == code; });
}

std::span<const DocumentEdition> Catalog::EditionsOf(std::string_view id) const {
  if (!edition_index.empty()) {
    auto it = edition_index.find(id);
    if (it == edition_index.end()) return {};
    return {editions.data() + it->second.first, it->second.second};
  }
  auto first = std::lower_bound(editions.begin(), editions.end(), id,
                                [](const DocumentEdition& e, std::string_view key) { return e.id < key; });
  auto last = first;
  while (last != editions.end() && last->id == id) ++last;
  return {first, last};
}

const Rule* Catalog::FindRule(std::string_view id) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), id, [](const Rule& r, std::string_view key) { return r.id < key; });
  return it != rules.end() && it->id == id ? &*it : nullptr;
}

}  // namespace docgen
