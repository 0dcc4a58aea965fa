#include "server/doctor.h"

#include <docgen/catalog.h>
#include <docgen/render.h>
#include <docgen/store.h>

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "auth/auth.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "render/fonts.h"
#include "store/inspect.h"

namespace docgen {
namespace {

namespace fs = std::filesystem;

constexpr double kGiB = 1024.0 * 1024 * 1024;

std::string Mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string Gib(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", bytes / kGiB);
  return text;
}

// There, a folder, writable by this user, and readable by nobody else (it
// holds policies and tokens).
DoctorFinding DataFolder(const fs::path& dir) {
  const std::string name = "data folder " + dir.string();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return {name, true, "does not exist yet: docgen serve creates it (mode 0700) when it starts"};
  }
  if (!S_ISDIR(st.st_mode)) return {name, false, "is not a folder: point --data (DOCGEN_DATA) at a folder"};
  const fs::path probe = dir / (".docgen-doctor-" + std::to_string(::getpid()));
  {
    std::ofstream out(probe);
    if (!out || !(out << "probe") || !(out.flush())) {
      return {name, false, "is not writable by this user (uid " + std::to_string(::getuid()) + "): run docgen as the folder's owner"};
    }
  }
  std::error_code ec;
  fs::remove(probe, ec);
  if ((st.st_mode & 077) != 0) {
    return {name, false, "can be read by other users (mode " + Mode(st.st_mode) + "); it holds policies and tokens: chmod 700 " + dir.string()};
  }
  return {name, true, "writable, private (mode " + Mode(st.st_mode) + ")"};
}

// Free space where the data goes (the nearest folder that exists).
DoctorFinding DiskSpace(fs::path dir) {
  std::error_code ec;
  dir = fs::absolute(dir, ec);  // a relative folder not there yet ("data") has parents too
  while (!dir.empty() && !fs::exists(dir, ec) && dir.has_parent_path() && dir.parent_path() != dir) dir = dir.parent_path();
  struct statvfs fsinfo {};
  if (dir.empty() || ::statvfs(dir.c_str(), &fsinfo) != 0) return {"disk space", false, "cannot read the free space of " + dir.string()};
  const double free_bytes = static_cast<double>(fsinfo.f_bavail) * static_cast<double>(fsinfo.f_frsize);
  const double total = static_cast<double>(fsinfo.f_blocks) * static_cast<double>(fsinfo.f_frsize);
  const std::string found = Gib(free_bytes) + " free of " + Gib(total) + " at " + dir.string();
  if (free_bytes < kGiB || (total > 0 && free_bytes / total < 0.05)) {
    return {"disk space", false, found + ": below 1 GiB or 5%; results and the database grow with every job (prune, or add space)"};
  }
  return {"disk space", true, found};
}

DoctorFinding Database(const ServiceOptions& options) {
  const bool postgres = IsPostgresUrl(options.database);  // as docgen serve decides
  const std::string where = postgres ? "PostgreSQL"
                                     : (options.database.empty() ? (fs::path(options.data_dir) / "docgen.sqlite").string() : options.database);
  Result<SchemaState> state = postgres ? InspectPostgresSchema(options.database) : InspectSqliteSchema(where);
  const std::string name = "database " + where;
  if (!state.ok()) return {name, false, "cannot be read: " + state.status().message()};
  if (!state->exists) return {name, true, "not created yet: docgen serve creates it when it starts"};
  const std::string at = "at migration " + std::to_string(state->applied) + " of the " + std::to_string(state->known) + " this docgen knows";
  if (state->applied > state->known) return {name, false, at + ": made by a newer docgen; upgrade docgen"};
  if (state->applied < state->known) {
    return {name, false, at + ": docgen serve migrates it when it starts (back it up first)"};
  }
  return {name, true, "reachable, " + at};
}

// The catalog folder published at start: lint findings and missing fonts.
std::vector<DoctorFinding> CatalogChecks(const std::string& dir) {
  if (dir.empty()) return {{"catalog", true, "no catalog folder configured: the version published in the database is used"}};
  const std::string name = "catalog " + dir;
  CatalogLoad load = LoadCatalogDirectory(dir);
  std::vector<DoctorFinding> out;
  int errors = 0;
  std::string first;
  for (const Diagnostic& d : load.diagnostics) {
    if (d.severity != Severity::kError) continue;
    if (++errors == 1) first = (d.file.empty() ? "" : d.file + (d.line > 0 ? ":" + std::to_string(d.line) : "") + ": ") + d.message;
  }
  if (!load.catalog) {
    out.push_back({name, false,
                   std::to_string(errors) + " lint error(s), the first: " + first + " (docgen catalog lint " + dir + " lists them all)"});
    return out;
  }
  out.push_back({name, true, "lints clean (" + std::to_string(load.catalog->editions.size()) + " editions)"});
  for (const MissingFont& font : MissingFonts(*load.catalog)) {
    std::string templates;
    for (size_t i = 0; i < font.templates.size() && i < 3; ++i) templates += (i ? ", " : "") + font.templates[i];
    if (font.templates.size() > 3) templates += " and " + std::to_string(font.templates.size() - 3) + " more";
    out.push_back({"font \"" + font.family + "\"", false,
                   "is not installed, and " + templates + " use it: their documents fail with missing_font (install the font "
                   "package, e.g. fonts-liberation, then fc-cache)"});
  }
  if (out.size() == 1) out.push_back({"fonts", true, "every font the templates use is installed"});
  return out;
}

// PDF/A (on by default) writes an sRGB output intent from this profile.
DoctorFinding ColourProfile() {
  const std::string path = RenderOptions{}.srgb_profile;
  std::ifstream in(path, std::ios::binary);
  if (!in || in.peek() == std::ifstream::traits_type::eof()) {
    return {"colour profile", false,
            path + " cannot be read: documents archived as PDF/A (the default) fail with pdf_error (install icc-profiles-free, "
                   "or set pdf: {archive: none} in the catalog's defaults)"};
  }
  return {"colour profile", true, path + ", the sRGB output intent of PDF/A"};
}

// The token file, and the shared cache and provider, through the same
// authenticator docgen serve uses (one probe token, which no cache holds).
std::vector<DoctorFinding> AuthChecks(const ServiceOptions& options) {
  std::vector<DoctorFinding> out;
  const AuthOptions& auth = options.auth;
  if (auth.mode == "token_file") {
    const fs::path file = auth.token_file.empty() ? fs::path(options.data_dir) / "tokens.json" : fs::path(auth.token_file);
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
      out.push_back({"token file " + file.string(), false, "does not exist: no caller can be authenticated (docgen token create --data " + options.data_dir + ")"});
    } else if ((st.st_mode & 077) != 0) {
      out.push_back({"token file " + file.string(), false, "can be read by other users (mode " + Mode(st.st_mode) + "): chmod 600 " + file.string()});
    } else {
      out.push_back({"token file " + file.string(), true, "present, private (mode " + Mode(st.st_mode) + ")"});
    }
  }
  if (auth.redis_url.empty() && auth.mode != "introspection") return out;
  SystemClock clock;
  Metrics metrics;
  Log log;
  Authenticator authenticator(auth, metrics, log, clock);
  (void)authenticator.Check("docgen-doctor-probe-" + std::to_string(::getpid()));
  const std::string health = authenticator.Health();
  out.push_back({auth.mode == "introspection" ? "shared cache and introspection" : "shared cache", health == "ok",
                 health == "ok" ? "reachable" : health});
  return out;
}

}  // namespace

std::vector<DoctorFinding> Diagnose(const ServiceOptions& options) {
  std::vector<DoctorFinding> findings;
  findings.push_back(DataFolder(options.data_dir));
  findings.push_back(DiskSpace(options.data_dir));
  findings.push_back(Database(options));
  for (DoctorFinding& f : CatalogChecks(options.catalog_dir)) findings.push_back(std::move(f));
  findings.push_back(ColourProfile());
  for (DoctorFinding& f : AuthChecks(options)) findings.push_back(std::move(f));
  return findings;
}

}  // namespace docgen
