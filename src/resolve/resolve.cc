// Steps 2-9 of resolution (SPEC §3). Every step runs to the end and collects
// its errors; only step 1 (quote checks) stops resolution early.
#include <docgen/resolve.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "resolve/eligibility.h"
#include "resolve/quote_check.h"
#include "schema/variables_schema.h"
#include "util/text.h"

namespace docgen {
namespace {

class Resolver {
 public:
  Resolver(const Catalog& catalog, const CheckedQuote& quote, Package& package, const ResolveOptions& options)
      : catalog_(catalog), quote_(quote), package_(package), options_(options) {}

  void Run() {
    Eligibility();
    AutomaticAttachment();
    Additions();
    Removals();
    Overrides();
    Order();
    DefaultsAndValidation();
    Review();
    Explain();
    package_.valid = package_.errors.empty();
  }

 private:
  void Error(std::string code, std::string path, const std::string& document, std::string message, int instance = 0) {
    Diagnostic d;
    d.code = std::move(code);
    d.path = std::move(path);
    d.document = document;
    d.instance = instance;
    d.message = std::move(message);
    package_.errors.push_back(std::move(d));
  }

  // Adds an explain note; the words are only made when explain is asked for.
  template <typename Words>
  void Note(ExplainEntry& state, Words&& words) {
    if (options_.explain) state.notes.push_back(words());
  }

  // The explain entry of the eligible edition of `id`; null when none is eligible.
  ExplainEntry* EligibleState(const std::string& id) {
    auto it = eligible_.find(id);
    return it == eligible_.end() ? nullptr : &package_.explain[it->second];
  }

  // Lists in a quote can be long: every membership test is a hash lookup.
  bool InPackage(const std::string& id) const {
    auto it = instances_.find(id);
    return it != instances_.end() && it->second > 0;
  }

  // False (and one too_many_instances error per id) beyond kMaxInstancesPerDocument.
  bool Attach(ExplainEntry& state, DocumentSource source, nlohmann::json variables, const std::string& path = "") {
    const DocumentEdition& e = *state.edition;
    size_t& count = instances_[e.id];
    if (count >= kMaxInstancesPerDocument) {
      if (capped_.insert(e.id).second) {
        Error("too_many_instances", path, e.id,
              "Document " + e.id + " would appear more than " + std::to_string(kMaxInstancesPerDocument) +
                  " times in the package; that is the limit for one document.");
        Note(state, [&] { return "instances beyond " + std::to_string(kMaxInstancesPerDocument) + " were refused (limit)"; });
      }
      return false;
    }
    ++count;
    PackageDocument doc;
    doc.id = e.id;
    doc.edition = e.edition;
    doc.kind = e.kind;
    doc.title = e.title;
    doc.order = e.order;
    doc.source = source;
    doc.variables = std::move(variables);
    doc.edition_ref = &e;
    documents_.push_back(std::move(doc));
    return true;
  }

  // Step 2.
  void Eligibility() {
    auto& states = package_.explain;
    const QuoteCodes codes(catalog_, quote_.facts);
    auto consider = [&](const DocumentEdition& edition) {
      ExplainEntry state;
      state.edition = &edition;
      state.mismatches = Mismatches(edition, quote_.facts, codes);
      state.eligible = state.mismatches == 0;
      if (state.eligible) eligible_.emplace(edition.id, states.size());
      states.push_back(std::move(state));
    };
    // Without explain, editions of other products need not be looked at.
    const size_t product = static_cast<size_t>(codes.product);
    if (!options_.explain && codes.product >= 0 && product < catalog_.editions_by_product.size()) {
      const std::vector<uint32_t>& candidates = catalog_.editions_by_product[product];
      states.reserve(candidates.size());
      for (uint32_t i : candidates) consider(catalog_.editions[i]);
      return;
    }
    states.reserve(catalog_.editions.size());
    for (const auto& edition : catalog_.editions) consider(edition);
  }

  // Step 3.
  void AutomaticAttachment() {
    const char* transaction = ToString(quote_.transaction);
    std::unordered_map<std::string_view, std::vector<const QuoteDocumentRef*>> prior_by_id;  // in prior order
    for (const auto& prior : quote_.prior) prior_by_id[prior.id].push_back(&prior);
    static const std::vector<const QuoteDocumentRef*> kNone;
    for (auto& state : package_.explain) {
      if (!state.eligible) continue;
      const DocumentEdition& e = *state.edition;
      switch (e.AttachFor(quote_.transaction)) {
        case AttachMode::kYes:
          Attach(state, DocumentSource::kAuto, nlohmann::json::object());
          Note(state, [&] { return std::string("attached automatically: its mode for ") + transaction + " is yes"; });
          break;
        case AttachMode::kNo:
          Note(state, [&] { return std::string("not attached automatically: its mode for ") + transaction + " is no"; });
          break;
        case AttachMode::kCopy: {
          int copied = 0;
          auto found = prior_by_id.find(e.id);
          for (const QuoteDocumentRef* prior : found == prior_by_id.end() ? kNone : found->second) {
            if (copied > 0 && !e.multiple) {
              Error("duplicate_document", prior->path, e.id,
                    "The prior package has " + e.id + " more than once, but it may appear only once; this copy was not attached.");
              continue;
            }
            if (!Attach(state, DocumentSource::kCopy, prior->variables, prior->path)) break;
            ++copied;
          }
          Note(state, [&] { return std::string(copied > 0 ? std::string("copied from the prior package (") + std::to_string(copied) +
                                                   (copied == 1 ? " instance" : " instances") + "): its mode for " +
                                                   transaction + " is copy"
                                             : std::string("not attached: its mode for ") + transaction +
                                                   " is copy and the prior package does not have it"); });
          break;
        }
      }
    }
  }

  // Step 4.
  void Additions() {
    for (const auto& addition : quote_.additions) {
      if (catalog_.EditionsOf(addition.id).empty()) {
        Error("unknown_document", addition.path, addition.id, "There is no document " + addition.id + " in the catalog.");
        continue;
      }
      ExplainEntry* state = EligibleState(addition.id);
      if (state == nullptr) {
        std::vector<std::string> why;
        for (auto& s : package_.explain) {
          if (s.edition->id != addition.id) continue;
          DescribeMismatches(*s.edition, quote_.facts, s.mismatches, why);
          Note(s, [&] { return std::string("requested by documents.add but not eligible, so not added"); });
        }
        Error("not_eligible", addition.path, addition.id,
              "Document " + addition.id + " cannot be added to this quote: " + Join(why, "; ") + ".");
        continue;
      }
      if (!state->edition->multiple && InPackage(addition.id)) {
        Error("duplicate_document", addition.path, addition.id,
              "Document " + addition.id + " is already in the package and may appear only once.");
        Note(*state, [&] { return std::string("a second instance requested by documents.add was refused (not multiple)"); });
        continue;
      }
      if (!Attach(*state, DocumentSource::kAdded, addition.variables, addition.path)) continue;
      Note(*state, [&] { return "added by the underwriter (" + addition.path + ")"; });
    }
  }

  // Step 5.
  void Removals() {
    std::unordered_set<std::string_view> handled;
    bool removed = false;
    for (const auto& removal : quote_.removals) {
      const std::string& id = removal.first;
      const std::string& path = removal.second;
      // An id named twice is handled (and reported) once.
      if (!handled.insert(id).second) continue;
      ExplainEntry* state = EligibleState(id);
      if (!InPackage(id)) {
        Error("not_attached", path, id,
              catalog_.EditionsOf(id).empty() ? "Document " + id + " cannot be removed: there is no such document in the catalog."
                                              : "Document " + id + " cannot be removed: it is not in the package.");
        continue;
      }
      if (!state->edition->deletable) {
        Error("not_deletable", path, id, "Document " + id + " is required and cannot be removed from the package.");
        Note(*state, [&] { return std::string("removal requested by documents.remove was refused: it is not deletable"); });
        continue;
      }
      instances_[id] = 0;  // the documents themselves go in one pass below
      removed = true;
      Note(*state, [&] { return "removed by the underwriter (" + path + ")"; });
    }
    if (removed) {
      documents_.erase(std::remove_if(documents_.begin(), documents_.end(),
                                      [&](const PackageDocument& d) { return !InPackage(d.id); }),
                       documents_.end());
    }
  }

  // Step 6.
  void Overrides() {
    std::unordered_map<std::string_view, std::vector<size_t>> positions;  // id -> its instances in documents_
    if (!quote_.overrides.empty()) {
      for (size_t i = 0; i < documents_.size(); ++i) positions[documents_[i].id].push_back(i);
    }
    for (const auto& [id, values] : quote_.overrides) {
      const std::string path = "/documents/variables/" + EscapePointerToken(id);
      if (!InPackage(id)) {
        Error("not_attached", path, id,
              catalog_.EditionsOf(id).empty() ? "Variables are given for " + id + ", but there is no such document in the catalog."
                                              : "Variables are given for " + id + ", but it is not in the package.");
        continue;
      }
      for (size_t i : positions[id]) {
        for (const auto& [key, value] : values.items()) documents_[i].variables[key] = value;
      }
      Note(*EligibleState(id), [&] { return "variables set by the underwriter (" + path + ")"; });
    }
  }

  // Step 9 (before validation, so that errors can name each instance).
  void Order() {
    // Sorted by position, then moved once: a PackageDocument is large.
    std::vector<size_t> position(documents_.size());
    for (size_t i = 0; i < position.size(); ++i) position[i] = i;
    std::stable_sort(position.begin(), position.end(), [&](size_t x, size_t y) {
      const PackageDocument& a = documents_[x];
      const PackageDocument& b = documents_[y];
      if (a.order != b.order) return a.order < b.order;
      return a.id < b.id;  // std::string compares bytes
    });
    std::vector<PackageDocument> sorted;
    sorted.reserve(documents_.size());
    for (size_t i : position) sorted.push_back(std::move(documents_[i]));
    documents_ = std::move(sorted);
    for (size_t i = 0; i < documents_.size(); ++i) {
      documents_[i].instance = (i > 0 && documents_[i - 1].id == documents_[i].id) ? documents_[i - 1].instance + 1 : 1;
    }
  }

  // Step 7. A package over the document limit is refused here, before any
  // schema work is spent on it.
  void DefaultsAndValidation() {
    if (documents_.size() > kMaxPackageDocuments) {
      Error("too_many_documents", "/documents", "",
            "The package would hold " + std::to_string(documents_.size()) + " documents; the limit is " +
                std::to_string(kMaxPackageDocuments) + ".");
      return;
    }
    if (!options_.check_variables) return;
    for (auto& doc : documents_) {
      const VariablesSchema& schema = *doc.edition_ref->schema;
      schema.ApplyDefaults(doc.variables);
      for (auto& violation : schema.Validate(doc.variables)) {
        Error("invalid_variables", violation.path, doc.id, doc.id + ": " + violation.message, doc.instance);
      }
    }
  }

  // Step 8.
  void Review() {
    for (const auto& state : package_.explain) {
      if (!state.eligible || !state.edition->flag_manual) continue;
      package_.review.push_back({state.edition->id, ReviewReason::kFlagManual, InPackage(state.edition->id)});
    }
    std::unordered_set<std::string_view> listed;
    for (const auto& prior : quote_.prior) {
      if (InPackage(prior.id) || !listed.insert(prior.id).second) continue;
      package_.review.push_back({prior.id, ReviewReason::kDroppedFromPrior, false});
      if (ExplainEntry* state = EligibleState(prior.id)) {
        Note(*state, [&] { return std::string("in the prior package but not carried into this one: listed for review"); });
      }
    }
  }

  void Explain() {
    for (const auto& doc : documents_) ++EligibleState(doc.id)->instances;
    for (auto& state : package_.explain) {
      if (state.eligible && state.edition->flag_manual) Note(state, [&] { return std::string("listed for underwriter review (flag_manual)"); });
    }
    package_.documents = std::move(documents_);
  }

  const Catalog& catalog_;
  const CheckedQuote& quote_;
  Package& package_;
  const ResolveOptions& options_;
  // Keys view the catalog's ids (the catalog outlives the resolution): no copies.
  std::unordered_map<std::string_view, size_t> eligible_;  // id -> its eligible edition in package_.explain
  std::vector<PackageDocument> documents_;
  std::unordered_map<std::string_view, size_t> instances_;  // id -> instances in documents_
  std::unordered_set<std::string_view> capped_;             // ids that hit kMaxInstancesPerDocument
};

}  // namespace

Package Resolve(const Catalog& catalog, const nlohmann::json& quote, const ResolveOptions& options) {
  Package package;
  package.catalog_name = catalog.name;
  package.catalog_digest = catalog.digest;
  CheckedQuote checked;
  Diagnostics errors = CheckQuote(catalog, quote, checked);
  package.quote_id = checked.quote_id;
  package.transaction = checked.transaction_text;
  package.facts = checked.facts;
  if (!errors.empty()) {
    package.errors = std::move(errors);
    package.explain.reserve(catalog.editions.size());
    for (const auto& edition : catalog.editions) {
      package.explain.push_back({&edition, false, 0, 0, {"not considered: the quote failed its checks (see errors)"}});
    }
    return package;
  }
  package.quote_checked = true;
  Resolver(catalog, checked, package, options).Run();
  return package;
}

std::vector<std::string> ExplainReasons(const Package& package, const ExplainEntry& entry) {
  std::vector<std::string> reasons;
  if (entry.eligible) {
    reasons.push_back("eligible for this quote");
  } else {
    DescribeMismatches(*entry.edition, package.facts, entry.mismatches, reasons);
  }
  reasons.insert(reasons.end(), entry.notes.begin(), entry.notes.end());
  return reasons;
}

}  // namespace docgen
