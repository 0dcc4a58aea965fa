#include "base/memory.h"

#include <dlfcn.h>
#include <malloc.h>

#include <mutex>

#if __has_include(<mimalloc.h>)
#include <mimalloc.h>  // for its option names only: the functions are looked up, not linked
#define DOCGEN_KNOWS_MIMALLOC 1
#endif

namespace docgen {

void ReleaseFreeMemory() {
#ifdef DOCGEN_KNOWS_MIMALLOC
  // Which allocator runs is the program's choice (the docgen program links
  // mimalloc in Release): look it up rather than link it here.
  using Collect = void (*)(bool);
  using GetOption = long (*)(mi_option_t);
  using SetOption = void (*)(mi_option_t, long);
  static const auto collect = reinterpret_cast<Collect>(dlsym(RTLD_DEFAULT, "mi_collect"));
  static const auto get = reinterpret_cast<GetOption>(dlsym(RTLD_DEFAULT, "mi_option_get"));
  static const auto set = reinterpret_cast<SetOption>(dlsym(RTLD_DEFAULT, "mi_option_set"));
  if (collect != nullptr && get != nullptr && set != nullptr) {
    // mimalloc decommits freed segments only after a delay, checked when the
    // thread allocates again: an idle thread would keep them. Decommit now.
    // The option is process-wide: two threads releasing at once must not
    // restore each other's zero (one would then collect with the delay on).
    static std::mutex one_at_a_time;
    std::lock_guard lock(one_at_a_time);
    const long page_delay = get(mi_option_decommit_delay);
    const long segment_delay = get(mi_option_segment_decommit_delay);
    set(mi_option_decommit_delay, 0);
    set(mi_option_segment_decommit_delay, 0);
    collect(true);
    set(mi_option_segment_decommit_delay, segment_delay);
    set(mi_option_decommit_delay, page_delay);
    return;
  }
#endif
  malloc_trim(0);
}

}  // namespace docgen
