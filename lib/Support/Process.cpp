//===- Process.cpp - Process-wide set-up of the tools ---------------------===//

#include "mav/Support/Process.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include <unistd.h>

void mav::useHugePages(char **argv) {
#ifdef __GLIBC__
  static constexpr const char *kTunable = "glibc.malloc.hugetlb";
  const char *setting = std::getenv("MAV_HUGEPAGES");
  if (setting && std::strcmp(setting, "0") == 0)
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
