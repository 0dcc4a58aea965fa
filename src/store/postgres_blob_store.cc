// Blobs in PostgreSQL: every process that shares the database can serve every
// job's result, with no shared folder. A blob is written in one statement, so
// there are no partial writes; writing one again refreshes its time, which is
// what pruning goes by.
#include "store/blob_store.h"
#include "store/pg_pool.h"
#include "util/text.h"

namespace docgen {
namespace {

// Blob times come from the database's clock, the same for every process.
constexpr const char* kServerNow = "EXTRACT(EPOCH FROM now())::bigint";

class PostgresBlobStore final : public BlobStore {
 public:
  PostgresBlobStore(const std::string& url, int connections) : pool_(url, connections) {}

  Result<std::string> Put(std::string_view bytes) override {
    const std::string name = Sha256Hex(bytes).substr(7);  // drop "sha256:"
    return Guard<std::string>([&](pqxx::connection& c) {
      pqxx::work tx(c);
      tx.exec_params("INSERT INTO blobs (name, bytes, written_at) VALUES ($1, $2, " + std::string(kServerNow) +
                         ") ON CONFLICT (name) DO UPDATE SET written_at = EXCLUDED.written_at",
                     name, pqxx::binarystring(bytes.data(), bytes.size()));
      tx.commit();
      return name;
    });
  }

  Result<std::string> Get(const std::string& name) const override {
    if (!IsBlobName(name)) return Status::NotFound("\"" + name.substr(0, 80) + "\" is not a blob name");
    Result<std::optional<std::string>> bytes = Guard<std::optional<std::string>>([&](pqxx::connection& c) -> std::optional<std::string> {
      pqxx::nontransaction tx(c);
      const pqxx::result r = tx.exec_params("SELECT bytes FROM blobs WHERE name = $1", name);
      if (r.empty()) return std::nullopt;
      return pqxx::binarystring(r[0][0]).str();
    });
    if (!bytes.ok()) return bytes.status();
    if (!*bytes) return Status::NotFound("there is no blob " + name);
    return std::move(**bytes);
  }

  Result<int> Prune(const std::set<std::string>& keep, int min_age_seconds, int /*no partial writes*/) override {
    std::string names = "{";  // a text[] literal; blob names are hex, nothing to quote
    for (const auto& name : keep) {
      if (IsBlobName(name)) names += (names.size() > 1 ? "," : "") + name;
    }
    names += "}";
    return Guard<int>([&](pqxx::connection& c) {
      pqxx::work tx(c);
      // One statement: a blob written again meanwhile (a re-run job) is young again and stays.
      const auto deleted = tx.exec_params("DELETE FROM blobs WHERE written_at <= " + std::string(kServerNow) +
                                              " - $1 AND name <> ALL($2::text[])",
                                          min_age_seconds, names);
      tx.commit();
      return static_cast<int>(deleted.affected_rows());
    });
  }

  Result<std::set<std::string>> List() const override {
    return Guard<std::set<std::string>>([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      std::set<std::string> out;
      for (const auto& r : tx.exec("SELECT name FROM blobs")) out.insert(r[0].as<std::string>());
      return out;
    });
  }

 private:
  template <typename T, typename Body>
  Result<T> Guard(Body&& body) const {
    try {
      return pool_.Run(body);
    } catch (...) {
      return StatusOfPostgresFailure(std::current_exception());
    }
  }

  mutable PgPool pool_;
};

}  // namespace

Result<std::unique_ptr<BlobStore>> OpenPostgresBlobStore(const std::string& url, int connections) {
  auto blobs = std::make_unique<PostgresBlobStore>(url, connections);
  Result<std::string> probe = blobs->Get(std::string(64, '0'));  // reachable, and the table exists
  if (!probe.ok() && probe.status().code() != StatusCode::kNotFound) return probe.status().Context("cannot use the blobs table");
  return std::unique_ptr<BlobStore>(std::move(blobs));
}

}  // namespace docgen
