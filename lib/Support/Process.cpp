//===- Process.cpp - Process-wide set-up of the tools ---------------------===//
//
// The tools use the C library's allocator as it comes: no tuning of the
// heap, no huge pages, no re-execution. Running out of memory is the one
// thing set up here, so that it ends in a diagnostic rather than an abort.
//
//===----------------------------------------------------------------------===//

#include "mav/Support/Process.h"

#include <cstdio>
#include <new>

int mav::runReportingOutOfMemory(const std::function<int()> &toolMain) {
  try {
    return toolMain();
  } catch (const std::bad_alloc &) {
    std::fputs("error: out of memory: the graph needs more memory than this "
               "process can allocate (see `ulimit -v` and the machine's "
               "free memory)\n",
               stderr);
    return 1;
  }
}
