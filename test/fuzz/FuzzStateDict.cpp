//===- FuzzStateDict.cpp - libFuzzer harness for the state dict reader ----===//
//
// Feeds arbitrary bytes to mav::import::readTiedTensors, which interprets
// the pickled state dict of a legacy .pt2 archive (lib/Import). It must
// either fail with a message or return groups of two or more distinct
// names, sorted, never crash, recurse without bound or leak.
//
//===----------------------------------------------------------------------===//

#include "StateDictPickle.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view pickle(reinterpret_cast<const char *>(data), size);
  std::vector<std::vector<std::string>> groups;
  std::string error;
  if (!mav::import::readTiedTensors(pickle, groups, error)) {
    if (error.empty() || !groups.empty()) {
      std::fprintf(stderr, "a failure must have a message and no groups\n");
      std::abort();
    }
    return 0;
  }
  for (const std::vector<std::string> &group : groups)
    if (group.size() < 2 || !std::is_sorted(group.begin(), group.end()) ||
        std::adjacent_find(group.begin(), group.end()) != group.end()) {
      std::fprintf(stderr, "a group must be two or more sorted names\n");
      std::abort();
    }
  if (!std::is_sorted(groups.begin(), groups.end())) {
    std::fprintf(stderr, "groups must be sorted\n");
    std::abort();
  }
  return 0;
}
