// Published catalog versions, loaded from the Store once each and kept
// (a version never changes). Thread-safe.
#pragma once

#include <docgen/catalog.h>
#include <docgen/store.h>

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
  explicit CatalogVersions(Store& store) : store_(store) {}

  // The catalog of `version` (0: the current one). kNotFound when none is
  // published or the version does not exist; kInvalidArgument when the
  // stored version has lint errors (it will not get better);
  // kUnavailable from the store.
  Result<LoadedCatalog> Get(int64_t version);

 private:
  Store& store_;
  std::mutex mutex_;
  std::map<int64_t, std::shared_ptr<const Catalog>> cache_;
};

}  // namespace docgen
