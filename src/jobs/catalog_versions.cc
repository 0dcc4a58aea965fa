#include "jobs/catalog_versions.h"

#include "jobs/catalog_files_json.h"

namespace docgen {

Result<LoadedCatalog> CatalogVersions::Get(int64_t version) {
  if (version == 0) {  // cheap; the files are read once per version while it is cached
    Result<int64_t> current = store_.CurrentCatalogVersion();
    if (!current.ok()) return current.status();
    if (*current == 0) return Status::NotFound("no catalog has been published");
    version = *current;
    std::lock_guard lock(mutex_);
    if (version > current_) current_ = version;  // versions only grow: a slow reader does not roll it back
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(version); it != cache_.end()) {
      order_.splice(order_.begin(), order_, it->second.order);
      return LoadedCatalog{it->second.catalog, version};
    }
  }
  // Loaded outside the lock: two threads may load one version at once; the
  // second finds the first's entry and uses it.
  Result<CatalogVersion> stored = store_.GetCatalogVersion(version);
  if (!stored.ok()) return stored.status();
  CatalogLoad load = LoadCatalog(CatalogFilesFromJson(stored->files));
  if (!load.catalog) return Status::InvalidArgument("catalog version " + std::to_string(version) + " has lint errors");
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(version); it != cache_.end()) {
    order_.splice(order_.begin(), order_, it->second.order);
    return LoadedCatalog{it->second.catalog, version};
  }
  Insert(version, load.catalog);
  return LoadedCatalog{load.catalog, version};
}

void CatalogVersions::Insert(int64_t version, std::shared_ptr<const Catalog> catalog) {
  order_.push_front(version);
  cache_.emplace(version, Entry{std::move(catalog), order_.begin()});
  // Drop the least recently used versions beyond capacity, never the current one.
  for (auto it = order_.end(); cache_.size() > capacity_ && it != order_.begin();) {
    --it;
    if (*it == current_) continue;
    cache_.erase(*it);
    it = order_.erase(it);
  }
}

size_t CatalogVersions::cached() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

}  // namespace docgen
