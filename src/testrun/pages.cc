#include "testrun/pages.h"

#include <cairo.h>
#include <png.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>
#include <memory>

namespace docgen::testrun {
namespace {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;

int Channel(uint32_t pixel, int shift) { return static_cast<int>(pixel >> shift & 0xff); }

bool Differs(uint32_t a, uint32_t b) {
  for (int shift : {0, 8, 16}) {
    if (std::abs(Channel(a, shift) - Channel(b, shift)) > kChannelTolerance) return true;
  }
  return false;
}

// The page faded toward white, so that red marks stand out.
uint32_t Faded(uint32_t pixel) {
  const int luma = (Channel(pixel, 16) * 299 + Channel(pixel, 8) * 587 + Channel(pixel, 0) * 114) / 1000;
  const uint32_t grey = static_cast<uint32_t>(255 - (255 - luma) / 4);
  return grey << 16 | grey << 8 | grey;
}

constexpr uint32_t kRed = 0xe0191e;

}  // namespace

Rasterised RasterisePdf(std::string_view pdf) {
  Rasterised out;
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!doc || doc->is_locked()) {
    out.error = "The PDF cannot be read.";
    return out;
  }
  poppler::page_renderer renderer;
  renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
  renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
  renderer.set_image_format(poppler::image::format_argb32);
  for (int n = 0; n < doc->pages(); ++n) {
    std::unique_ptr<poppler::page> page(doc->create_page(n));
    poppler::image picture = page ? renderer.render_page(page.get(), kDotsPerInch, kDotsPerInch) : poppler::image();
    if (!picture.is_valid()) {
      out.error = "Page " + std::to_string(n + 1) + " of the PDF cannot be drawn.";
      out.pages.clear();
      return out;
    }
    Image image;
    image.width = picture.width();
    image.height = picture.height();
    image.pixels.resize(static_cast<size_t>(image.width) * static_cast<size_t>(image.height));
    for (int y = 0; y < image.height; ++y) {
      const auto* row = reinterpret_cast<const uint32_t*>(picture.const_data() + static_cast<ptrdiff_t>(y) * picture.bytes_per_row());
      uint32_t* to = image.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(image.width);
      for (int x = 0; x < image.width; ++x) to[x] = row[x] & 0xffffff;  // paper is opaque
    }
    out.pages.push_back(std::move(image));
  }
  return out;
}

std::string EncodePng(const Image& image) {
  // libpng directly rather than Cairo's writer: the fastest zlib level and one
  // fixed filter make encoding several times faster, and pages (mostly paper)
  // still compress well.
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  struct Release {
    png_structp& png;
    png_infop& info;
    ~Release() { png_destroy_write_struct(&png, &info); }
  } release{png, info};
  std::string out;
  if (!info) return out;
  std::vector<unsigned char> row(static_cast<size_t>(image.width) * 3);
  if (setjmp(png_jmpbuf(png))) return {};  // libpng reports errors by longjmp; nothing above holds a C++ object that needs unwinding
  png_set_write_fn(
      png, &out,
      [](png_structp p, png_bytep data, png_size_t length) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<const char*>(data), length);
      },
      nullptr);
  png_set_compression_level(png, 1);
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_UP);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width), static_cast<png_uint_32>(image.height), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y) {
    const uint32_t* from = image.pixels.data() + static_cast<size_t>(y) * static_cast<size_t>(image.width);
    for (int x = 0; x < image.width; ++x) {
      row[static_cast<size_t>(x) * 3] = static_cast<unsigned char>(from[x] >> 16);
      row[static_cast<size_t>(x) * 3 + 1] = static_cast<unsigned char>(from[x] >> 8);
      row[static_cast<size_t>(x) * 3 + 2] = static_cast<unsigned char>(from[x]);
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  return out;
}

std::optional<Image> DecodePng(std::string_view png) {
  struct Reader {
    std::string_view rest;
  } reader{png};
  Surface surface(cairo_image_surface_create_from_png_stream(
      [](void* closure, unsigned char* data, unsigned int length) {
        auto* r = static_cast<Reader*>(closure);
        if (r->rest.size() < length) return CAIRO_STATUS_READ_ERROR;
        std::memcpy(data, r->rest.data(), length);
        r->rest.remove_prefix(length);
        return CAIRO_STATUS_SUCCESS;
      },
      &reader));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return std::nullopt;
  cairo_surface_flush(surface.get());
  Image image;
  image.width = cairo_image_surface_get_width(surface.get());
  image.height = cairo_image_surface_get_height(surface.get());
  const int stride = cairo_image_surface_get_stride(surface.get());
  const unsigned char* data = cairo_image_surface_get_data(surface.get());
  image.pixels.resize(static_cast<size_t>(image.width) * static_cast<size_t>(image.height));
  for (int y = 0; y < image.height; ++y) {
    const auto* row = reinterpret_cast<const uint32_t*>(data + static_cast<ptrdiff_t>(y) * stride);
    for (int x = 0; x < image.width; ++x) image.pixels[static_cast<size_t>(y) * static_cast<size_t>(image.width) + static_cast<size_t>(x)] = row[x] & 0xffffff;
  }
  return image;
}

PageComparison ComparePages(const Image& golden, const Image& page) {
  PageComparison out;
  const int width = std::max(golden.width, page.width);
  const int height = std::max(golden.height, page.height);
  out.pixels = static_cast<long long>(width) * height;
  Image diff;
  diff.width = width;
  diff.height = height;
  diff.pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height), kRed);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      uint32_t& to = diff.pixels[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)];
      const bool in_golden = x < golden.width && y < golden.height;
      const bool in_page = x < page.width && y < page.height;
      if (!in_golden || !in_page) {
        ++out.changed_pixels;
        continue;  // stays red
      }
      const uint32_t now = page.pixels[static_cast<size_t>(y) * static_cast<size_t>(page.width) + static_cast<size_t>(x)];
      const uint32_t was = golden.pixels[static_cast<size_t>(y) * static_cast<size_t>(golden.width) + static_cast<size_t>(x)];
      if (Differs(now, was)) {
        ++out.changed_pixels;
      } else {
        to = Faded(now);
      }
    }
  }
  if (out.changed_pixels > 0) out.diff = std::move(diff);
  return out;
}

}  // namespace docgen::testrun
