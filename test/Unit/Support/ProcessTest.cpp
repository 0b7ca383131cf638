//===- ProcessTest.cpp - The allocator set-up of the tools ----------------===//

#include "mav/Support/Process.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

using namespace mav;

namespace {

bool underSanitizer() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) ||     \
    __has_feature(thread_sanitizer)
  return true;
#endif
#endif
  return false;
}

struct Mapping {
  uintptr_t begin = 0, end = 0;
  std::string name, flags;
};

/// The mappings of this process, from /proc/self/smaps.
std::vector<Mapping> readMappings() {
  std::vector<Mapping> mappings;
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  while (std::getline(smaps, line)) {
    if (line.rfind("VmFlags:", 0) == 0) {
      if (!mappings.empty())
        mappings.back().flags = line.substr(8) + " ";
      continue;
    }
    // "begin-end perms offset dev inode [name]"; field lines have a ':'
    // in their first word.
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, name;
    fields >> range >> perms >> offset >> dev >> inode;
    size_t dash = range.find('-');
    if (dash == std::string::npos || range.find(':') != std::string::npos)
      continue;
    std::getline(fields >> std::ws, name);
    Mapping m;
    m.begin = std::stoull(range.substr(0, dash), nullptr, 16);
    m.end = std::stoull(range.substr(dash + 1), nullptr, 16);
    m.name = name;
    mappings.push_back(m);
  }
  return mappings;
}

/// A block of `bytes` ends in a `[heap]` mapping marked for huge pages
/// ("hg") of at least `minMappingBytes`. The block is not touched.
void expectOnHugePageHeap(size_t bytes, size_t minMappingBytes) {
  void *block = std::malloc(bytes);
  ASSERT_NE(block, nullptr);
  auto address = reinterpret_cast<uintptr_t>(block) + bytes - 1;
  std::vector<Mapping> mappings = readMappings();
  std::free(block);
  const Mapping *holder = nullptr;
  for (const Mapping &m : mappings)
    if (m.begin <= address && address < m.end)
      holder = &m;
  ASSERT_NE(holder, nullptr) << bytes;
  EXPECT_EQ(holder->name, "[heap]") << bytes;
  EXPECT_NE(holder->flags.find(" hg "), std::string::npos)
      << bytes << ": VmFlags:" << holder->flags;
  EXPECT_GE(holder->end - holder->begin, minMappingBytes) << bytes;
}

TEST(ProcessTest, HeapIsOnHugePagesAndHoldsLargeBlocks) {
#ifndef __GLIBC__
  GTEST_SKIP() << "glibc's malloc only";
#endif
  if (underSanitizer())
    GTEST_SKIP() << "a sanitizer's allocator does not use the heap";
  std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  if (!std::getline(thp, mode) || mode.find("[never]") != std::string::npos)
    GTEST_SKIP() << "transparent huge pages are off";
  if (const char *setting = std::getenv("MAV_HUGEPAGES");
      setting && std::strcmp(setting, "0") == 0)
    GTEST_SKIP() << "MAV_HUGEPAGES=0";

  char program[] = "ProcessTest";
  char *argv[] = {program, nullptr};
  setUpAllocator(argv);

  // A block far over glibc's default mapping threshold (128 KB) comes from
  // the heap, in a range marked for huge pages ("hg"). (The range starts at
  // the first 2 MB boundary of the heap, so the block may start before it:
  // its last byte is looked up.)
  expectOnHugePageHeap(64 << 20, 252 << 20);

  // Input from a pipe: the heap grows to 8x its size once it is known.
  reserveHeapForInput(size_t(64) << 20);
  expectOnHugePageHeap(400 << 20, 508 << 20);
}

} // namespace
