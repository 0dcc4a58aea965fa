// SVG images, drawn by librsvg. librsvg is loaded (dlopen) when the first
// SVG is decoded, not when docgen starts: it brings gio, gdk-pixbuf and
// libxml2, a tenth of the libraries a one-off `docgen render` loaded, and
// most catalogs have no SVG.
#pragma once

#include <cairo.h>

#include <memory>
#include <optional>
#include <string>

namespace docgen {

class Svg {
 public:
  // Parses SVG bytes; nullopt and `error` ("is not a readable SVG image:
  // ...", or librsvg cannot be loaded) when it cannot.
  static std::optional<Svg> Decode(const std::string& bytes, std::string& error);

  // Natural size in CSS pixels; false when the SVG gives none.
  bool IntrinsicSize(double& width, double& height) const;

  // Draws the image scaled into (0, 0, width, height) of `cr`.
  void Draw(cairo_t* cr, double width, double height) const;

  // "librsvg 2.54.7", or why it cannot be loaded (test runs count the
  // version among a variant's inputs). Loads the library.
  static std::string LibraryVersion();

 private:
  struct Library;
  Svg(const Library* library, std::shared_ptr<void> handle) : library_(library), handle_(std::move(handle)) {}
  const Library* library_;         // loaded once per process, never unloaded
  std::shared_ptr<void> handle_;  // RsvgHandle
};

}  // namespace docgen
