// Published catalog versions, loaded from the Store and kept in a bounded
// least-recently-used cache (a version never changes, so a version that was
// dropped is loaded again when asked for). The current version is never
// dropped. Thread-safe.
#pragma once

#include <docgen/catalog.h>
#include <docgen/store.h>

#include <list>
#include <map>
#include <memory>
#include <mutex>

namespace docgen {

struct LoadedCatalog {
  std::shared_ptr<const Catalog> catalog;
  int64_t version = 0;
};

class CatalogVersions {
 public:
  static constexpr size_t kDefaultCapacity = 8;

  // Keeps at most `capacity` loaded versions (at least 1), plus the current
  // one when it is not among them.
  explicit CatalogVersions(Store& store, size_t capacity = kDefaultCapacity)
      : store_(store), capacity_(capacity < 1 ? 1 : capacity) {}

  // The catalog of `version` (0: the current one). kNotFound when none is
  // published or the version does not exist; kInvalidArgument when the
  // stored version has lint errors (it will not get better);
  // kUnavailable from the store.
  Result<LoadedCatalog> Get(int64_t version);

  // Versions held in memory now (tests, metrics).
  size_t cached() const;

 private:
  struct Entry {
    std::shared_ptr<const Catalog> catalog;
    std::list<int64_t>::iterator order;  // position in order_
  };
  void Insert(int64_t version, std::shared_ptr<const Catalog> catalog);  // mutex_ held

  Store& store_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  int64_t current_ = 0;              // the current version last seen: never evicted
  std::list<int64_t> order_;         // most recently used first
  std::map<int64_t, Entry> cache_;
};

}  // namespace docgen
