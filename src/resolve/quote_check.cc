#include "resolve/quote_check.h"

#include "util/text.h"

namespace docgen {
namespace {

class Checker {
 public:
  explicit Checker(Diagnostics& errors) : errors_(errors) {}

  void Error(std::string code, std::string path, std::string message) {
    Diagnostic d;
    d.code = std::move(code);
    d.path = std::move(path);
    d.message = std::move(message);
    errors_.push_back(std::move(d));
  }

  // A required, non-empty string field of `object`; reports invalid_quote otherwise.
  const std::string* RequiredString(const nlohmann::json& object, const char* key, const std::string& base = "") {
    const std::string path = base + "/" + key;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      Error("invalid_quote", path,
            base.empty() ? "The quote has no \"" + std::string(key) + "\"; it is required."
                         : "Required field \"" + std::string(key) + "\" is missing at " + base + ".");
      return nullptr;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      Error("invalid_quote", path, "\"" + std::string(key) + "\" must be a non-empty text, but it is " + it->dump() + ".");
      return nullptr;
    }
    return &it->get_ref<const std::string&>();
  }

  // `variables` of a document entry: absent means {}, anything else must be an object.
  bool Variables(const nlohmann::json& entry, const std::string& path, nlohmann::json& out) {
    auto it = entry.find("variables");
    if (it == entry.end() || it->is_null()) {
      out = nlohmann::json::object();
      return true;
    }
    if (!it->is_object()) {
      Error("invalid_quote", path + "/variables", "\"variables\" must be an object of name: value pairs.");
      return false;
    }
    out = *it;
    return true;
  }

  bool DocumentEntry(const nlohmann::json& entry, const std::string& path, QuoteDocumentRef& out) {
    if (!entry.is_object()) {
      Error("invalid_quote", path, "Each document entry must be an object with an \"id\".");
      return false;
    }
    const std::string* id = RequiredString(entry, "id", path);
    nlohmann::json variables;
    bool ok = Variables(entry, path, variables);
    if (id == nullptr || !ok) return false;
    out.id = *id;
    out.variables = std::move(variables);
    out.path = path;
    return true;
  }

 private:
  Diagnostics& errors_;
};

void CheckDocumentsSection(Checker& c, const nlohmann::json& documents, CheckedQuote& out) {
  if (!documents.is_object()) {
    c.Error("invalid_quote", "/documents", "\"documents\" must be an object with add, remove and variables.");
    return;
  }
  static const std::vector<std::string> kKeys = {"add", "remove", "variables"};
  for (const auto& [key, unused] : documents.items()) {
    if (std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end()) continue;
    std::string message = "Unknown field \"" + key + "\" in \"documents\".";
    if (std::string s = SuggestClosest(key, kKeys); !s.empty()) message += " Did you mean \"" + s + "\"?";
    c.Error("invalid_quote", "/documents/" + EscapePointerToken(key), message);
  }
  if (auto add = documents.find("add"); add != documents.end() && !add->is_null()) {
    if (!add->is_array()) {
      c.Error("invalid_quote", "/documents/add", "\"documents.add\" must be a list of {id, variables}.");
    } else {
      for (size_t i = 0; i < add->size(); ++i) {
        const std::string path = "/documents/add/" + std::to_string(i);
        const auto& entry = (*add)[i];
        if (entry.is_object()) {
          for (const auto& [key, unused] : entry.items()) {
            if (key != "id" && key != "variables") {
              c.Error("invalid_quote", path + "/" + EscapePointerToken(key),
                      "Unknown field \"" + key + "\" in an addition; only id and variables are allowed.");
            }
          }
        }
        QuoteDocumentRef ref;
        if (c.DocumentEntry(entry, path, ref)) out.additions.push_back(std::move(ref));
      }
    }
  }
  if (auto remove = documents.find("remove"); remove != documents.end() && !remove->is_null()) {
    if (!remove->is_array()) {
      c.Error("invalid_quote", "/documents/remove", "\"documents.remove\" must be a list of document ids.");
    } else {
      for (size_t i = 0; i < remove->size(); ++i) {
        const std::string path = "/documents/remove/" + std::to_string(i);
        const auto& id = (*remove)[i];
        if (!id.is_string() || id.get_ref<const std::string&>().empty()) {
          c.Error("invalid_quote", path, "Each entry of \"documents.remove\" must be a document id.");
          continue;
        }
        out.removals.emplace_back(id.get<std::string>(), path);
      }
    }
  }
  if (auto variables = documents.find("variables"); variables != documents.end() && !variables->is_null()) {
    if (!variables->is_object()) {
      c.Error("invalid_quote", "/documents/variables", "\"documents.variables\" must map document ids to variables.");
    } else {
      for (const auto& [id, values] : variables->items()) {
        const std::string path = "/documents/variables/" + EscapePointerToken(id);
        if (!values.is_object()) {
          c.Error("invalid_quote", path, "The variables for " + id + " must be an object of name: value pairs.");
          continue;
        }
        out.overrides.emplace_back(id, values);
      }
    }
  }
}

// Counts UTF-8 code points (continuation bytes are not counted).
size_t Characters(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Every string value and key longer than kMaxQuoteStringLength, reported as
// value_too_long (at most 20 of them). The pointer is only built for a finding.
class StringLengthCheck {
 public:
  explicit StringLengthCheck(Checker& c) : c_(c) {}

  void Walk(const nlohmann::json& node) {
    if (reported_ >= kMaxReported || tokens_.size() > 512) return;
    if (node.is_string()) {
      const auto& text = node.get_ref<const std::string&>();
      if (text.size() > kMaxQuoteStringLength && Characters(text) > kMaxQuoteStringLength) Report(Characters(text), false);
    } else if (node.is_object()) {
      for (const auto& [key, value] : node.items()) {
        tokens_.push_back({key, 0});
        if (key.size() > kMaxQuoteStringLength && Characters(key) > kMaxQuoteStringLength) {
          Report(Characters(key), true);
        } else {
          Walk(value);
        }
        tokens_.pop_back();
      }
    } else if (node.is_array()) {
      for (size_t i = 0; i < node.size(); ++i) {
        tokens_.push_back({{}, i});
        Walk(node[i]);
        tokens_.pop_back();
      }
    }
  }

 private:
  static constexpr size_t kMaxReported = 20;

  void Report(size_t characters, bool key) {
    if (reported_++ >= kMaxReported) return;
    std::string path;
    for (const auto& [name, index] : tokens_) path += "/" + (name.data() != nullptr ? EscapePointerToken(name) : std::to_string(index));
    c_.Error("value_too_long", path,
             std::string(key ? "A field name" : "The text") + " at " + (path.empty() ? "/" : path) + " is " +
                 std::to_string(characters) + " characters long; a quote's texts are limited to " +
                 std::to_string(kMaxQuoteStringLength) + " characters.");
  }

  Checker& c_;
  std::vector<std::pair<std::string_view, size_t>> tokens_;  // key, or index when the key is null
  size_t reported_ = 0;
};

}  // namespace

Diagnostics CheckQuote(const Catalog& catalog, const nlohmann::json& quote, CheckedQuote& out) {
  Diagnostics errors;
  Checker c(errors);
  if (!quote.is_object()) {
    c.Error("invalid_quote", "", "The quote must be a JSON object.");
    return errors;
  }
  StringLengthCheck(c).Walk(quote);
  if (const std::string* id = c.RequiredString(quote, "quote_id")) out.quote_id = *id;
  if (const std::string* t = c.RequiredString(quote, "transaction")) {
    out.transaction_text = *t;
    if (*t == "new") {
      out.transaction = Transaction::kNew;
    } else if (*t == "renewal") {
      out.transaction = Transaction::kRenewal;
    } else if (*t == "reissue") {
      out.transaction = Transaction::kReissue;
    } else {
      c.Error("invalid_quote", "/transaction", "\"transaction\" must be new, renewal or reissue, but it is \"" + *t + "\".");
    }
  }
  if (const std::string* product = c.RequiredString(quote, "product")) {
    out.facts.product = *product;
    if (!catalog.HasProduct(*product)) {
      c.Error("unknown_product", "/product",
              "Product \"" + *product + "\" is not offered by this catalog (products: " + Join(catalog.products) + ").");
    }
  }
  if (const std::string* jurisdiction = c.RequiredString(quote, "jurisdiction")) {
    out.facts.jurisdiction = *jurisdiction;
    if (!catalog.HasJurisdiction(*jurisdiction)) {
      c.Error("unknown_jurisdiction", "/jurisdiction",
              "Jurisdiction \"" + *jurisdiction + "\" is not one this catalog writes in (" + Join(catalog.jurisdictions) + ").");
    }
  }
  if (!catalog.agencies.empty()) {
    if (const std::string* agency = c.RequiredString(quote, "agency")) {
      out.facts.agency = *agency;
      if (!catalog.HasAgency(*agency)) {
        c.Error("unknown_agency", "/agency",
                "Agency \"" + *agency + "\" is not one of this catalog's agencies (" + Join(catalog.agencies) + ").");
      }
    }
  } else if (auto agency = quote.find("agency"); agency != quote.end() && !agency->is_null()) {
    if (agency->is_string()) {
      out.facts.agency = agency->get<std::string>();
    } else {
      c.Error("invalid_quote", "/agency", "\"agency\" must be a text.");
    }
  }
  if (const std::string* date = c.RequiredString(quote, "effective_date")) {
    out.facts.effective_date = *date;
    if (auto parsed = ParseIsoDate(*date)) {
      out.facts.effective = *parsed;
    } else {
      c.Error("invalid_quote", "/effective_date", "\"effective_date\" must be a date written YYYY-MM-DD, but it is \"" + *date + "\".");
    }
  }
  if (auto coverages = quote.find("coverages"); coverages != quote.end() && !coverages->is_null()) {
    if (!coverages->is_array()) {
      c.Error("invalid_quote", "/coverages", "\"coverages\" must be a list of coverage objects.");
    } else {
      for (size_t i = 0; i < coverages->size(); ++i) {
        const auto& coverage = (*coverages)[i];
        const std::string path = "/coverages/" + std::to_string(i);
        if (!coverage.is_object()) {
          c.Error("invalid_quote", path, "Each coverage must be an object with a \"code\".");
          continue;
        }
        const std::string* code = c.RequiredString(coverage, "code", path);
        if (code == nullptr) continue;
        if (!catalog.HasCoverage(*code)) {
          c.Error("unknown_coverage", path + "/code", "Coverage \"" + *code + "\" is not declared by this catalog.");
          continue;
        }
        out.facts.coverages.push_back(*code);
      }
    }
  }
  const bool needs_prior = out.transaction_text == "renewal" || out.transaction_text == "reissue";
  if (needs_prior) {
    auto prior = quote.find("prior");
    if (prior == quote.end() || prior->is_null()) {
      c.Error("missing_prior", "/prior",
              "A " + out.transaction_text + " needs \"prior\": the package of the policy being " +
                  (out.transaction_text == "renewal" ? "renewed." : "reissued."));
    } else if (!prior->is_object()) {
      c.Error("invalid_quote", "/prior", "\"prior\" must be an object with the prior package's documents.");
    } else if (auto documents = prior->find("documents"); documents != prior->end() && !documents->is_null()) {
      if (!documents->is_array()) {
        c.Error("invalid_quote", "/prior/documents", "\"prior.documents\" must be a list of {id, variables}.");
      } else {
        for (size_t i = 0; i < documents->size(); ++i) {
          QuoteDocumentRef ref;
          if (c.DocumentEntry((*documents)[i], "/prior/documents/" + std::to_string(i), ref)) {
            out.prior.push_back(std::move(ref));
          }
        }
      }
    }
  }
  if (auto documents = quote.find("documents"); documents != quote.end() && !documents->is_null()) {
    CheckDocumentsSection(c, *documents, out);
  }
  return errors;
}

}  // namespace docgen
