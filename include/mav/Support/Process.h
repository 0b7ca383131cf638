//===- Process.h - Process-wide set-up of the tools -------------*- C++ -*-===//
//
// What a tool's main wraps around its work: running out of memory is
// reported as an error, not an abort.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_PROCESS_H
#define MAV_SUPPORT_PROCESS_H

#include <functional>

namespace mav {

/// Runs a tool's main and turns running out of memory (std::bad_alloc)
/// into "error: out of memory ..." and exit code 1 instead of an abort.
/// Output files are not left behind: they are removed as the exception
/// unwinds (OutputFile).
int runReportingOutOfMemory(const std::function<int()> &toolMain);

} // namespace mav

#endif // MAV_SUPPORT_PROCESS_H
