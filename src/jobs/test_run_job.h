// A test run (SPEC §8) as durable background work: a job of kind test_run
// whose worker runs testrun::RunTests against the goldens in the Store,
// keeps pictures in the BlobStore, and records each variant's result as it
// goes, so that an attempt cut short (the process killed, an outage) is
// resumed by the next one without rendering or counting a variant twice.
#pragma once

#include <docgen/catalog.h>
#include <docgen/store.h>

#include <atomic>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/metrics.h"
#include "store/blob_store.h"

namespace docgen {

// What starts a run: POST /v1/test-runs, the schedule, or a drafts run before publishing.
enum class TestRunTrigger { kManual, kSchedule, kDrafts };
const char* ToString(TestRunTrigger trigger);

// The job's input (Job::quote): {"trigger": "manual"|"schedule"|"drafts"},
// and for a drafts run the draft catalog's files as they were when the run
// was asked for ({"files": ...}, catalog_files_json.h). Its progress carries
// the trigger too: only the worker reads a job's input back.
nlohmann::json TestRunInput(TestRunTrigger trigger, const nlohmann::json& draft_files = nullptr);
TestRunTrigger TestRunTriggerOf(const Job& job);

// A new test run job (id run_ and 24 hex digits) with `input`, due at `now`.
Job NewTestRunJob(nlohmann::json input, int64_t catalog_version, int max_attempts, int64_t now);
// The run of schedule tick `tick` (ms): its idempotency key names the tick,
// so that however many processes make it, the store keeps one.
Job ScheduledTestRunJob(int64_t tick, int64_t catalog_version, int max_attempts, int64_t now);

struct TestRunWork {
  Store& store;
  BlobStore& blobs;
  Metrics& metrics;
  int threads = 0;  // render threads of one run; 0: one per core
  const std::atomic<bool>* stopping = nullptr;  // set: the process is stopping (the run is given back, resumed later)
};

// Runs the tests of `catalog` for `job`, held by `worker`. Returns the
// job's result ({"counts", "removed", "variants", "rendered", "resumed", "seconds"}),
// or the Status that stopped it: kUnavailable (an outage of the store or the
// blobs: give the attempt back) or kConflict (the run was canceled or its
// lease lost).
Result<nlohmann::json> RunTestRunJob(const TestRunWork& work, const Catalog& catalog, const Job& job, const std::string& worker);

// docgen_test_runs_total and docgen_test_run_variants_total.
void DescribeTestRunMetrics(Metrics& metrics);

struct Approval {
  int approved = 0;  // variants whose pages (or inputs) became the goldens
  int dropped = 0;   // goldens of removed variants deleted
};

// Makes a succeeded run's pages the goldens: every variant that did not
// fail (new and changed ones with their new pages, same ones with their
// inputs), and drops the goldens it found removed; with `only` non-empty,
// just those keys (an entry ending in '/' or '@' names the keys it starts).
// Audited ("test_run.approve") in the same transaction. kConflict when the
// run has not succeeded, or a chosen golden was approved after the run
// started (it would be overwritten with older pages).
Result<Approval> ApproveTestRun(Store& store, const Job& run, const std::vector<std::string>& only, const Actor& by);

}  // namespace docgen
