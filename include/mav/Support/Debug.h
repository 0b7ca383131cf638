//===- Debug.h - Debug output per component, off by default ----*- C++ -*-===//
//
// LLVM's llvm/Support/Debug.h in small. A file that has debug output names
// its component before using the macro:
//
//   #define DEBUG_TYPE "merge"
//   MAV_DEBUG(fmt::print(dbgs(), "[merge] cutoff {}\n", cutoff));
//
// The statement runs only when `--debug` or `--debug-only=merge` was given
// to mav-opt or mav-render; otherwise it costs one test of the type set.
// Output goes to stderr, never to stdout where IR and figures flow, and
// changes nothing else: outputs stay byte-identical with it on.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_DEBUG_H
#define MAV_SUPPORT_DEBUG_H

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

/// Turns debug output on: for every component with `all` (`--debug`),
/// else for the components named in `types` (`--debug-only=layout,merge`).
/// Called once by a tool's main after parsing its command line.
void setDebugTypes(bool all, std::vector<std::string> types);

/// Whether debug output of component `type` is on.
bool isDebugTypeEnabled(std::string_view type);

/// Where debug output goes: stderr.
inline std::FILE *dbgs() { return stderr; }

} // namespace mav

/// Runs the statement(s) only when debug output of DEBUG_TYPE is on.
#define MAV_DEBUG(...)                                                         \
  do {                                                                         \
    if (::mav::isDebugTypeEnabled(DEBUG_TYPE)) {                               \
      __VA_ARGS__;                                                             \
    }                                                                          \
  } while (false)

#endif // MAV_SUPPORT_DEBUG_H
