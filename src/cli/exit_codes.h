// The exit statuses of every docgen command (README "What works today").
#pragma once

namespace docgen::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;  // anything else: a failure of docgen or its surroundings
constexpr int kExitInvalid = 2;  // invalid input: arguments, files, a catalog with lint errors
constexpr int kExitFound = 3;    // the check ran and found something: a policy error, a failed rule test, a broken audit chain
constexpr int kExitInterrupted = 130;  // stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)

}  // namespace docgen::cli
