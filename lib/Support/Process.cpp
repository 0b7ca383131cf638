//===- Process.cpp - Process-wide set-up of the tools ---------------------===//

#include "mav/Support/Process.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr uintptr_t kHugePageBytes = 2 << 20;

/// The size of the largest regular file an argument names (0 if none).
size_t largestInputFile(char **argv) {
  size_t largest = 0;
  for (char **arg = argv + 1; *arg; ++arg) {
    struct stat st;
    if (**arg != '-' && ::stat(*arg, &st) == 0 && S_ISREG(st.st_mode))
      largest = std::max(largest, static_cast<size_t>(st.st_size));
  }
  return largest;
}

/// Whether the heap should be on transparent huge pages: the kernel has
/// them ("always [madvise] never": not "never") and MAV_HUGEPAGES=0 is not
/// set.
bool wantHugePages() {
  const char *setting = std::getenv("MAV_HUGEPAGES");
  if (setting && std::strcmp(setting, "0") == 0)
    return false;
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  return std::getline(thp, mode) && mode.find("[never]") == std::string::npos;
}

/// Where the heap's huge-page range starts (0: huge pages are not used).
uintptr_t hugePageHeapStart = 0;

/// The heap at least `bytes` larger than in use, and all of it from
/// hugePageHeapStart on marked for huge pages. Growing it is a malloc of
/// that size, freed at once: with mappings off and trimming off, glibc
/// extends the heap for it and keeps the space. Only address space is
/// taken; nothing is touched.
void growHugePageHeap(size_t bytes) {
#ifdef __GLIBC__
  long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && pageSize > 0)
    bytes = std::min(bytes, static_cast<size_t>(pages) *
                                static_cast<size_t>(pageSize) / 2);
  void *block = std::malloc(bytes);
  std::free(block);
  uintptr_t end =
      reinterpret_cast<uintptr_t>(::sbrk(0)) & ~(kHugePageBytes - 1);
  if (block && end > hugePageHeapStart)
    ::madvise(reinterpret_cast<void *>(hugePageHeapStart),
              end - hugePageHeapStart, MADV_HUGEPAGE);
#else
  (void)bytes;
#endif
}

/// The heap a tool wants for an input of `bytes`: a graph takes about 6x
/// its text in memory, the rendered outputs up to 7x.
size_t heapBytesFor(size_t inputBytes) {
  return std::max<size_t>(size_t(256) << 20, inputBytes * 8);
}

} // namespace

void mav::setUpAllocator(char **argv) {
#ifdef __GLIBC__
  ::mallopt(M_TRIM_THRESHOLD, -1);
  ::mallopt(M_MMAP_MAX, 0);
  if (!wantHugePages())
    return;
  uintptr_t start = reinterpret_cast<uintptr_t>(::sbrk(0));
  hugePageHeapStart = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  growHugePageHeap(heapBytesFor(largestInputFile(argv)));
#else
  (void)argv;
#endif
}

void mav::reserveHeapForInput(size_t inputBytes) {
  if (hugePageHeapStart)
    growHugePageHeap(heapBytesFor(inputBytes));
}

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
