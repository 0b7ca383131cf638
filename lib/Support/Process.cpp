//===- Process.cpp - Process-wide set-up of the tools ---------------------===//

#include "mav/Support/Process.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
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

} // namespace

void mav::setUpAllocator(char **argv) {
#ifdef __GLIBC__
  ::mallopt(M_TRIM_THRESHOLD, -1);
  ::mallopt(M_MMAP_MAX, 0);
  if (!wantHugePages())
    return;
  size_t input = largestInputFile(argv);
  size_t reserve = std::max<size_t>(size_t(256) << 20, input * 8);
  long pages = ::sysconf(_SC_PHYS_PAGES), pageSize = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && pageSize > 0)
    reserve = std::min(reserve, static_cast<size_t>(pages) *
                                    static_cast<size_t>(pageSize) / 2);
  auto start = reinterpret_cast<uintptr_t>(::sbrk(0));
  void *block = std::malloc(reserve);
  auto end = reinterpret_cast<uintptr_t>(::sbrk(0));
  std::free(block);
  uintptr_t from = (start + kHugePageBytes - 1) & ~(kHugePageBytes - 1);
  uintptr_t to = end & ~(kHugePageBytes - 1);
  if (block && to > from)
    ::madvise(reinterpret_cast<void *>(from), to - from, MADV_HUGEPAGE);
#else
  (void)argv;
#endif
}
