#include "render/svg.h"

#include <dlfcn.h>
#include <librsvg/rsvg.h>

namespace docgen {

// The librsvg functions docgen calls, resolved from the loaded library.
struct Svg::Library {
  decltype(&rsvg_handle_new_from_data) new_from_data = nullptr;
  decltype(&rsvg_handle_get_intrinsic_size_in_pixels) intrinsic_size = nullptr;
  decltype(&rsvg_handle_render_document) render_document = nullptr;
  std::string version;  // "2.54.7"
  std::string error;    // why it could not be loaded

  // The library, loaded on first use; the same for the whole process, as
  // dlopen's handles are.
  static const Library& Get() {
    static const Library library = Load();
    return library;
  }

 private:
  static Library Load() {
    Library library;
    void* handle = dlopen("librsvg-2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      library.error = std::string("cannot be drawn: librsvg (Debian package librsvg2-2) is not installed: ") + dlerror();
      return library;
    }
    library.new_from_data = reinterpret_cast<decltype(new_from_data)>(dlsym(handle, "rsvg_handle_new_from_data"));
    library.intrinsic_size =
        reinterpret_cast<decltype(intrinsic_size)>(dlsym(handle, "rsvg_handle_get_intrinsic_size_in_pixels"));
    library.render_document = reinterpret_cast<decltype(render_document)>(dlsym(handle, "rsvg_handle_render_document"));
    if (library.new_from_data == nullptr || library.intrinsic_size == nullptr || library.render_document == nullptr) {
      library.error = "cannot be drawn: the installed librsvg is older than 2.52";
    }
    const auto* major = static_cast<const guint*>(dlsym(handle, "rsvg_major_version"));
    const auto* minor = static_cast<const guint*>(dlsym(handle, "rsvg_minor_version"));
    const auto* micro = static_cast<const guint*>(dlsym(handle, "rsvg_micro_version"));
    if (major != nullptr && minor != nullptr && micro != nullptr) {
      library.version = std::to_string(*major) + "." + std::to_string(*minor) + "." + std::to_string(*micro);
    }
    return library;
  }
};

std::optional<Svg> Svg::Decode(const std::string& bytes, std::string& error) {
  const Library& library = Library::Get();
  if (!library.error.empty()) {
    error = library.error;
    return std::nullopt;
  }
  GError* gerror = nullptr;
  RsvgHandle* handle = library.new_from_data(reinterpret_cast<const guint8*>(bytes.data()), bytes.size(), &gerror);
  if (handle == nullptr) {
    error = std::string("is not a readable SVG image: ") + (gerror != nullptr ? gerror->message : "unknown error");
    if (gerror != nullptr) g_error_free(gerror);
    return std::nullopt;
  }
  return Svg(&library, std::shared_ptr<void>(handle, g_object_unref));
}

bool Svg::IntrinsicSize(double& width, double& height) const {
  gdouble w = 0, h = 0;
  if (!library_->intrinsic_size(static_cast<RsvgHandle*>(handle_.get()), &w, &h)) return false;
  width = w;
  height = h;
  return true;
}

std::string Svg::LibraryVersion() {
  const Library& library = Library::Get();
  if (!library.error.empty()) return "librsvg: " + library.error;
  return "librsvg " + (library.version.empty() ? std::string("(version unknown)") : library.version);
}

void Svg::Draw(cairo_t* cr, double width, double height) const {
  const RsvgRectangle viewport{0, 0, width, height};
  library_->render_document(static_cast<RsvgHandle*>(handle_.get()), cr, &viewport, nullptr);
}

}  // namespace docgen
