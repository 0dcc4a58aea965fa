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

  Status Put(std::string_view bytes, std::string* name) override {
    *name = Sha256Hex(bytes).substr(7);  // drop "sha256:"
    try {
      pool_.Run([&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec_params("INSERT INTO blobs (name, bytes, written_at) VALUES ($1, $2, " + std::string(kServerNow) +
                           ") ON CONFLICT (name) DO UPDATE SET written_at = EXCLUDED.written_at",
                       *name, pqxx::binarystring(bytes.data(), bytes.size()));
        tx.commit();
        return 0;
      });
      return Status::Ok();
    } catch (const std::exception& e) {
      return Status::Error("cannot write blob " + *name + ": " + e.what());
    }
  }

  std::optional<std::string> Get(const std::string& name) const override {
    if (!IsBlobName(name)) return std::nullopt;
    return pool_.Run([&](pqxx::connection& c) -> std::optional<std::string> {
      pqxx::work tx(c);
      const pqxx::result r = tx.exec_params("SELECT bytes FROM blobs WHERE name = $1", name);
      if (r.empty()) return std::nullopt;
      return pqxx::binarystring(r[0][0]).str();
    });
  }

  int Prune(const std::set<std::string>& keep, int min_age_seconds, int /*no partial writes*/) override {
    std::string names = "{";  // a text[] literal; blob names are hex, nothing to quote
    for (const auto& name : keep) {
      if (IsBlobName(name)) names += (names.size() > 1 ? "," : "") + name;
    }
    names += "}";
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      // One statement: a blob written again meanwhile (a re-run job) is young again and stays.
      const auto deleted = tx.exec_params("DELETE FROM blobs WHERE written_at <= " + std::string(kServerNow) +
                                              " - $1 AND name <> ALL($2::text[])",
                                          min_age_seconds, names);
      tx.commit();
      return static_cast<int>(deleted.affected_rows());
    });
  }

  std::set<std::string> List() const override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      std::set<std::string> out;
      for (const auto& r : tx.exec("SELECT name FROM blobs")) out.insert(r[0].as<std::string>());
      return out;
    });
  }

 private:
  mutable PgPool pool_;
};

}  // namespace

std::unique_ptr<BlobStore> OpenPostgresBlobStore(const std::string& url, int connections, Status* status) {
  auto blobs = std::make_unique<PostgresBlobStore>(url, connections);
  try {
    blobs->Get(std::string(64, '0'));  // reachable, and the table exists
  } catch (const std::exception& e) {
    *status = Status::Error(std::string("cannot use the blobs table: ") + e.what());
    return nullptr;
  }
  *status = Status::Ok();
  return blobs;
}

}  // namespace docgen
