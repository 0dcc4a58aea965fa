// Blobs in PostgreSQL: every process that shares the database can serve every
// job's result, with no shared folder. A blob is written in one statement, so
// there are no partial writes; writing one again refreshes its time, which is
// what pruning goes by.
#include <chrono>

#include "store/blob_store.h"
#include "store/pg_pool.h"
#include "util/text.h"

namespace docgen {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class PostgresBlobStore final : public BlobStore {
 public:
  PostgresBlobStore(const std::string& url, int connections) : pool_(url, connections) {}

  Status Put(std::string_view bytes, std::string* name) override {
    *name = Sha256Hex(bytes).substr(7);  // drop "sha256:"
    try {
      pool_.Run([&](pqxx::connection& c) {
        pqxx::work tx(c);
        tx.exec_params("INSERT INTO blobs (name, bytes, written_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET "
                       "written_at = EXCLUDED.written_at",
                       *name, pqxx::binarystring(bytes.data(), bytes.size()), NowSeconds());
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

  int Prune(const std::set<std::string>& keep, int min_age_seconds, int /*min_temporary_age_seconds*/) override {
    return pool_.Run([&](pqxx::connection& c) {
      pqxx::work tx(c);
      int removed = 0;
      for (const auto& r : tx.exec_params("SELECT name FROM blobs WHERE written_at <= $1", NowSeconds() - min_age_seconds)) {
        const std::string name = r[0].as<std::string>();
        if (keep.count(name)) continue;
        // Checked again row by row: a job may have written it again since the list was made.
        removed += static_cast<int>(tx.exec_params("DELETE FROM blobs WHERE name = $1 AND written_at <= $2", name,
                                                   NowSeconds() - min_age_seconds)
                                        .affected_rows());
      }
      tx.commit();
      return removed;
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
