// The cost of observability per job (issue 14): a job's wide event and the
// SLO bookkeeping, against the job's own work.
//
// The work is what a worker does for one job of the service benchmark's
// quote: resolve and render it. The bookkeeping is what docgen adds for
// that job: the accepting request's event, the attempt's event (stage
// timers, dimensions, one JSON line written to a file), the job's counters
// and histograms, and the SLO meter matching each of them against the
// default SLOs. Both are timed on this thread; the ratio of job throughput
// with and without the bookkeeping is work / (work + bookkeeping).
//
// Usage: event_bench [JOBS]   (default 100 renders; the events go to a
// temporary file, as a server's stderr would to its log)
#include <docgen/catalog.h>
#include <docgen/render.h>
#include <docgen/resolve.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "jobs/work_event.h"
#include "slo/slo.h"
#include "slo/slo_meter.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// One job's bookkeeping, as the dispatcher and the job runner do it.
void Bookkeeping(const docgen::Package& package, const docgen::RenderResult& rendered, docgen::Metrics& metrics,
                 const docgen::Log& log, int n) {
  using docgen::Stage;
  using docgen::WorkEvent;
  // The request that accepted the job.
  nlohmann::json request = {{"request_id", "req_0123456789abcdef01234567"}, {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
                            {"method", "POST"}, {"route", "/v1/jobs"}, {"status", 202}, {"duration_ms", 1.234},
                            {"subject", "bench"}, {"role", "generator"}, {"job_id", "job_" + std::to_string(n)},
                            {"quote_id", package.quote_id}, {"catalog_version", 1}};
  metrics.Add("docgen_http_requests_total", {{"method", "POST"}, {"route", "/v1/jobs"}, {"status", "202"}});
  metrics.Observe("docgen_http_request_duration_seconds", {{"method", "POST"}, {"route", "/v1/jobs"}}, 0.001234);
  metrics.Add("docgen_jobs_created_total", {});
  log.Info("job accepted", std::move(request));
  // The job's attempt.
  WorkEvent work;
  { const WorkEvent::Timer timer = work.Time(Stage::kResolve); }
  work.Resolved(package);
  work.Rendered(rendered.timings, rendered.output->pages);
  { const WorkEvent::Timer timer = work.Time(Stage::kStore); }
  nlohmann::json fields = {{"job_id", "job_" + std::to_string(n)}, {"kind", "render"}, {"quote_id", package.quote_id},
                           {"catalog_version", 1}, {"attempt", 1}, {"worker", "worker-0123456789abcdef-0"},
                           {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"}, {"request_id", "req_0123456789abcdef01234567"},
                           {"subject", "bench"}};
  work.AddTo(fields);
  fields["outcome"] = "succeeded";
  fields["error_code"] = "";
  fields["duration_ms"] = 45.678;
  work.Observe(metrics);
  metrics.Add("docgen_job_attempts_total", {{"outcome", "succeeded"}});
  metrics.Add("docgen_jobs_finished_total", {{"outcome", "succeeded"}});
  metrics.Observe("docgen_job_duration_seconds", {}, 0.045678);
  metrics.Observe("docgen_render_duration_seconds", {}, 0.04);
  metrics.Add("docgen_pages_rendered_total", {}, rendered.output->pages);
  log.Info("job succeeded", std::move(fields));
}

}  // namespace

int main(int argc, char** argv) {
  const int jobs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
  const fs::path root = DOCGEN_SOURCE_DIR;
  docgen::CatalogLoad load = docgen::LoadCatalogDirectory(root / "examples" / "acme-cyber");
  if (!load.catalog) {
    std::fprintf(stderr, "event_bench: the example catalog does not load\n");
    return 1;
  }
  std::ifstream in(root / "examples" / "quotes" / "renewal-copy.json");
  const nlohmann::json quote = nlohmann::json::parse(in);

  // The events go to a file, as a server's do: a real write per line.
  const std::string events_path = (fs::temp_directory_path() / ("docgen-event-bench-" + std::to_string(::getpid()))).string();
  const int events = ::open(events_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (events < 0 || ::dup2(events, 2) < 0) {
    std::printf("event_bench: cannot open %s\n", events_path.c_str());
    return 1;
  }
  ::close(events);

  docgen::Renderer renderer;
  docgen::Package package = docgen::Resolve(*load.catalog, quote);
  docgen::RenderResult rendered = renderer.Render(*load.catalog, package, quote);  // warm: fonts, templates
  if (!rendered.output) {
    std::printf("event_bench: the quote does not render\n");
    return 1;
  }
  auto started = Clock::now();
  for (int i = 0; i < jobs; ++i) {
    package = docgen::Resolve(*load.catalog, quote);
    rendered = renderer.Render(*load.catalog, package, quote);
  }
  const double work = Seconds(started) / jobs;

  docgen::SystemClock clock;
  docgen::SloMeter meter(docgen::DefaultSlos(), clock);
  docgen::Metrics metrics;
  metrics.Listen(&meter);
  docgen::WorkEvent::Describe(metrics);
  docgen::Log log;
  const int rounds = jobs * 50;  // the bookkeeping is short: many rounds for a steady figure
  started = Clock::now();
  for (int i = 0; i < rounds; ++i) {
    Bookkeeping(package, rendered, metrics, log, i);
    if (i % 1000 == 999) (void)meter.Drain();  // the maintenance thread's minute
  }
  const double bookkeeping = Seconds(started) / rounds;
  ::fsync(2);
  const auto log_bytes = fs::file_size(events_path);
  fs::remove(events_path);

  std::printf("event_bench: %d jobs of examples/quotes/renewal-copy.json (%d pages), %d rounds of bookkeeping\n", jobs,
              rendered.output->pages, rounds);
  std::printf("  the job's work (resolve + render):        %9.3f ms per job\n", work * 1e3);
  std::printf("  events + metrics + SLO meter:             %9.3f ms per job (%.0f bytes of events)\n", bookkeeping * 1e3,
              static_cast<double>(log_bytes) / rounds);
  std::printf("  overhead: %.2f%% of the job's work; throughput with them / without: %.4f (aim: overhead under 3%%)\n",
              100.0 * bookkeeping / work, work / (work + bookkeeping));
  return 0;
}
