#include "testrun/report.h"

#include <algorithm>
#include <cstdio>

#include "util/text.h"

namespace docgen::testrun {
namespace {

std::string Picture(const std::optional<std::string>& png, const std::string& alt) {
  if (!png) return "<div class=\"none\">" + EscapeXml(alt) + ": none</div>";
  return "<img alt=\"" + EscapeXml(alt) + "\" src=\"data:image/png;base64," + Base64Encode(*png) + "\">";
}

std::string Percent(double share) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f%%", share * 100);
  return text;
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b}
h1{font-size:1.4rem}.counts span{margin-right:1rem}
.filters{margin:1rem 0}.filters label{margin-right:1rem;cursor:pointer}
section.variant{border:1px solid #ccc;border-radius:6px;padding:.75rem;margin:.75rem 0}
.status{font-weight:600;text-transform:uppercase;font-size:.8rem;padding:.1rem .4rem;border-radius:4px}
.changed .status{background:#fff3cd}.new .status{background:#cfe2ff}.failed .status{background:#f8d7da}.removed .status{background:#e2e3e5}.same .status{background:#d1e7dd}
.page{display:flex;gap:.75rem;flex-wrap:wrap;margin:.5rem 0}.page figure{margin:0}.page img{border:1px solid #999;max-width:30vw}
figcaption{font-size:.8rem;color:#555}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}
.none{width:12rem;height:4rem;border:1px dashed #999;color:#777;display:flex;align-items:center;justify-content:center}
#f-changed:checked~main .variant:not(.changed),#f-new:checked~main .variant:not(.new),#f-failed:checked~main .variant:not(.failed),
#f-removed:checked~main .variant:not(.removed),#f-same:checked~main .variant:not(.same){display:none}
)";

}  // namespace

std::string HtmlReport(const RunResult& run, const std::string& title, const PageFolder& goldens, const PageFolder& scratch) {
  const Counts& c = run.counts;
  std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + EscapeXml(title) +
                     "</title><style>" + kStyle + "</style></head><body>\n<h1>" + EscapeXml(title) + "</h1>\n";
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f s", run.seconds);
  html += "<p class=\"counts\"><span>" + std::to_string(run.variants.size()) + " variants in " + seconds + "</span><span>same " +
          std::to_string(c.same) + "</span><span>changed " + std::to_string(c.changed) + "</span><span>new " + std::to_string(c.added) +
          "</span><span>failed " + std::to_string(c.failed) + "</span><span>removed " + std::to_string(c.removed) + "</span></p>\n";
  // Filters: radio buttons before <main>, so that CSS alone hides the other statuses.
  html += "<input type=\"radio\" name=\"f\" id=\"f-all\" checked><label for=\"f-all\">All not same</label>\n";
  for (const char* s : {"changed", "new", "failed", "removed", "same"}) {
    html += std::string("<input type=\"radio\" name=\"f\" id=\"f-") + s + "\"><label for=\"f-" + s + "\">" + s + "</label>\n";
  }
  html += "<main>\n";
  int with_pages = 0;
  for (const auto& v : run.variants) {
    if (v.status == Status::kSame) continue;
    const std::string status = ToString(v.status);
    html += "<section class=\"variant " + status + "\"><h2><span class=\"status\">" + status + "</span> " + EscapeXml(v.key) + "</h2>\n";
    if (v.status == Status::kFailed) {
      html += "<pre>" + EscapeXml(v.error) + "</pre></section>\n";
      continue;
    }
    if (v.status == Status::kChanged) html += "<p>Pages changed: " + Join([&] {
      std::vector<std::string> pages;
      for (int n : v.changed_pages) pages.push_back(std::to_string(n));
      return pages;
    }()) + " (" + Percent(v.changed_share) + " of pixels)</p>\n";
    if (++with_pages > kReportVariantsWithPages) {
      html += "<p>Pages not shown: the report shows the first " + std::to_string(kReportVariantsWithPages) + " variants' pages.</p></section>\n";
      continue;
    }
    for (int n = 1; n <= v.pages; ++n) {
      const bool changed = v.status == Status::kNew || std::find(v.changed_pages.begin(), v.changed_pages.end(), n) != v.changed_pages.end();
      if (!changed) continue;
      const std::string page = "page " + std::to_string(n);
      html += "<div class=\"page\">";
      if (v.status == Status::kChanged) {
        html += "<figure>" + Picture(goldens.Read(goldens.PagePath(v.key, n)), "golden " + page) + "<figcaption>golden, " + page + "</figcaption></figure>";
      }
      html += "<figure>" + Picture(scratch.Read(scratch.PagePath(v.key, n)), "new " + page) + "<figcaption>new, " + page + "</figcaption></figure>";
      if (v.status == Status::kChanged) {
        html += "<figure>" + Picture(scratch.Read(scratch.DiffPath(v.key, n)), "diff " + page) + "<figcaption>diff (changes in red), " + page + "</figcaption></figure>";
      }
      html += "</div>\n";
    }
    html += "</section>\n";
  }
  for (const auto& key : run.removed) {
    html += "<section class=\"variant removed\"><h2><span class=\"status\">removed</span> " + EscapeXml(key) +
            "</h2><p>This golden's variant no longer exists.</p></section>\n";
  }
  html += "<details class=\"variant same\"><summary>" + std::to_string(c.same) + " variants the same</summary><ul>\n";
  for (const auto& v : run.variants) {
    if (v.status == Status::kSame) html += "<li>" + EscapeXml(v.key) + "</li>\n";
  }
  html += "</ul></details>\n</main></body></html>\n";
  return html;
}

}  // namespace docgen::testrun
