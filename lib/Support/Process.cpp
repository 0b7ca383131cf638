//===- Process.cpp - Process-wide set-up of the tools ---------------------===//

#include "mav/Support/Process.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

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

void mav::useHugePages(char **argv) {
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
