// Giving freed memory back to the operating system.
//
// Allocators keep freed pages for reuse: after one large request (a quote of
// many megabytes) a long-running server would otherwise hold its peak for
// good. Called after such work, on the thread that did it.
#pragma once

#include <chrono>
#include <cstddef>

namespace docgen {

// Returns this thread's free memory to the OS: mimalloc's mi_collect when
// the program runs on mimalloc (the docgen program, Release), else glibc's
// malloc_trim. Costs about a millisecond; call it after large work only.
void ReleaseFreeMemory();

// How long a thread that did large work waits, idle, before it gives its
// free memory back: frees made for it by other threads (a connection
// thread's, SQLite's page cache) arrive only after the work ends.
inline constexpr std::chrono::milliseconds kIdleBeforeRelease{100};

// Requests whose body is at least this large release memory when done.
inline constexpr size_t kLargeRequestBytes = 256 * 1024;

}  // namespace docgen
