//===- Process.cpp - Process-wide set-up of the tools ---------------------===//

#include "mav/Support/Process.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

/// Whether an argument names a regular file of at least `minBytes`.
static bool hasLargeInputFile(char **argv, off_t minBytes) {
  for (char **arg = argv + 1; *arg; ++arg) {
    struct stat st;
    if (**arg != '-' && ::stat(*arg, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_size >= minBytes)
      return true;
  }
  return false;
}

/// Runs the program again with `glibc.malloc.hugetlb=1` (see
/// setUpAllocator).
static void useHugePages(char **argv) {
#ifdef __GLIBC__
  static constexpr const char *kTunable = "glibc.malloc.hugetlb";
  // Running again costs a process start (~5 ms on a quiet machine), which
  // only pays off for a graph that is not tiny: measured, a 1k-node
  // pipeline (0.3 MB) loses 5 ms, a 10k-node one (3.2 MB) gains 60 ms of
  // its 160 ms. 1 MB of IR is about 3,000 nodes.
  static constexpr off_t kMinInputBytes = 1 << 20;
  const char *setting = std::getenv("MAV_HUGEPAGES");
  if (setting && std::strcmp(setting, "0") == 0)
    return;
  if (!hasLargeInputFile(argv, kMinInputBytes) &&
      !(setting && std::strcmp(setting, "1") == 0))
    return;
  const char *tunables = std::getenv("GLIBC_TUNABLES");
  if (tunables && std::strstr(tunables, kTunable))
    return;
  // "always [madvise] never": glibc's setting takes effect unless "never".
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  if (!std::getline(thp, mode) || mode.find("[never]") != std::string::npos)
    return;
  std::string value = std::string(kTunable) + "=1";
  if (tunables && *tunables)
    value = std::string(tunables) + ":" + value;
  if (::setenv("GLIBC_TUNABLES", value.c_str(), /*overwrite=*/1) != 0)
    return;
  ::execv("/proc/self/exe", argv);
  // Still here: run on without huge pages, with the environment as it was.
  if (tunables)
    ::setenv("GLIBC_TUNABLES", tunables, 1);
  else
    ::unsetenv("GLIBC_TUNABLES");
#else
  (void)argv;
#endif
}

/// Makes glibc's malloc keep large blocks on the heap and grow it in large
/// steps. By default every block of 128 KB or more (up to 32 MB, as the
/// threshold adapts) is a mapping of its own: its pages are never huge, are
/// faulted in one 4 KB page at a time and given back when freed, so the
/// next vector pays for them again; and the heap grows 128 KB at a time,
/// each step a new stretch for the kernel to back. Measured on the 10k-node
/// pipeline (on huge pages): page faults 2,070 -> 310, wall time 90 -> 51 ms.
static void tuneMalloc() {
#ifdef __GLIBC__
  // 32 MB is the highest threshold glibc accepts; larger blocks (the node
  // array of a million-node graph) are still mapped on their own.
  static constexpr int kLargeBlockBytes = 32 << 20;
  ::mallopt(M_MMAP_THRESHOLD, kLargeBlockBytes);
  ::mallopt(M_TOP_PAD, kLargeBlockBytes);
#endif
}

void mav::setUpAllocator(char **argv) {
  useHugePages(argv);
  tuneMalloc();
}
