// File-system helpers shared by the stages that write many files and then
// make them durable at once (goldens, backups). Thread-safe.
#pragma once

#include <filesystem>
#include <string>

namespace docgen {

// Flushes the file system that holds `path` (a file or a folder) to disk
// with syncfs(2): one call for many files written without fsync. Empty on
// success, else the error in words.
std::string SyncFileSystem(const std::filesystem::path& path);

}  // namespace docgen
