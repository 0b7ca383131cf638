//===- Process.h - Process-wide set-up of the tools -------------*- C++ -*-===//
//
// What a tool does once, first thing in main, before it allocates anything
// that matters.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_PROCESS_H
#define MAV_SUPPORT_PROCESS_H

#include <cstddef>
#include <functional>

namespace mav {

/// Sets up glibc's malloc for graphs of millions of small objects reached
/// in no particular order, on a machine where page faults and TLB misses
/// are expensive (a paravirtualised VM). Called first thing in main.
///
/// - Every block comes from the heap (no mapping of its own per block of
///   128 KB or more, which glibc faults in 4 KB at a time and unmaps when
///   freed, so that the next growing vector faults again), and the heap is
///   never trimmed: the tools are short-lived and free little before exit.
/// - The heap is on transparent huge pages: it is grown up front to eight
///   times the largest input file named on the command line (at least
///   256 MB, at most half the memory; address space only, nothing is
///   touched), and that range is marked MADV_HUGEPAGE (reserveHeapForInput
///   does the same once input from a pipe has been read). This replaces
///   running the program again with glibc's `glibc.malloc.hugetlb=1`
///   tunable, which cost a second process start and never applied to input
///   from a pipe. Not done when the kernel has transparent huge pages off or
///   MAV_HUGEPAGES=0 is set.
///
/// Together they take a 10k-node pipeline from 0.16 s to under 0.05 s, and
/// the same read from a pipe from 0.13 s to 0.05 s (docs/Performance.md).
void setUpAllocator(char **argv);

/// Makes room on the huge-page heap for a graph read from an input of
/// `inputBytes` that setUpAllocator could not size (standard input), as
/// setUpAllocator does for a file. Does nothing if the heap is not on huge
/// pages.
void reserveHeapForInput(size_t inputBytes);

/// Runs a tool's main and turns running out of memory (std::bad_alloc)
/// into "error: out of memory ..." and exit code 1 instead of an abort.
/// Output files are not left behind: they are removed as the exception
/// unwinds (OutputFile).
int runReportingOutOfMemory(const std::function<int()> &toolMain);

} // namespace mav

#endif // MAV_SUPPORT_PROCESS_H
