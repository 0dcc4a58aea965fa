#include "jobs/catalog_versions.h"

#include "jobs/catalog_files_json.h"

namespace docgen {

Result<LoadedCatalog> CatalogVersions::Get(int64_t version) {
  if (version == 0) {  // cheap; the files are read once per version
    Result<int64_t> current = store_.CurrentCatalogVersion();
    if (!current.ok()) return current.status();
    if (*current == 0) return Status::NotFound("no catalog has been published");
    version = *current;
  }
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(version); it != cache_.end()) return LoadedCatalog{it->second, version};
  }
  Result<CatalogVersion> stored = store_.GetCatalogVersion(version);
  if (!stored.ok()) return stored.status();
  CatalogLoad load = LoadCatalog(CatalogFilesFromJson(stored->files));
  if (!load.catalog) return Status::InvalidArgument("catalog version " + std::to_string(version) + " has lint errors");
  std::lock_guard lock(mutex_);
  auto [it, inserted] = cache_.emplace(version, load.catalog);
  return LoadedCatalog{it->second, version};
}

}  // namespace docgen
