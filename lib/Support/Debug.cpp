//===- Debug.cpp - Debug output per component, off by default -------------===//
//
// The set of components whose debug output is on. As in LLVM
// (lib/Support/Debug.cpp: DebugFlag and CurrentDebugType), it is the one
// piece of process-wide mutable state: set once from the command line,
// read by MAV_DEBUG.
//
//===----------------------------------------------------------------------===//

#include "mav/Support/Debug.h"

#include <algorithm>

namespace {

struct DebugTypes {
  bool all = false;
  std::vector<std::string> names;
};

DebugTypes enabledDebugTypes;

} // namespace

void mav::setDebugTypes(bool all, std::vector<std::string> types) {
  enabledDebugTypes.all = all;
  enabledDebugTypes.names = std::move(types);
}

bool mav::isDebugTypeEnabled(std::string_view type) {
  const DebugTypes &enabled = enabledDebugTypes;
  if (enabled.all)
    return true;
  return std::find(enabled.names.begin(), enabled.names.end(), type) !=
         enabled.names.end();
}
