//===- Process.h - Process-wide set-up of the tools -------------*- C++ -*-===//
//
// What a tool does once, first thing in main, before it allocates anything
// that matters.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_PROCESS_H
#define MAV_SUPPORT_PROCESS_H

namespace mav {

/// Asks glibc to back the heap with transparent huge pages, by running the
/// program again with `glibc.malloc.hugetlb=1` added to GLIBC_TUNABLES
/// (glibc reads tunables only at start-up). A million-node graph is
/// gigabytes of small objects reached in no particular order, and on this
/// kind of machine TLB misses are a large part of the time: huge pages cut
/// the CPU time of `mav-opt` on a 100k-node pipeline by about 40%, and a
/// 10k-node pipeline's wall time from 0.16 s to 0.10 s.
///
/// Only done when an argument names an input file of 1 MB or more (a
/// second process start costs more than huge pages save on a small graph),
/// or MAV_HUGEPAGES=1 is set. Does nothing, and returns, when the kernel
/// has transparent huge pages off, GLIBC_TUNABLES already names the tunable
/// (so the program never runs more than twice), MAV_HUGEPAGES=0 is set, the
/// C library is not glibc, or the program cannot be run again (no /proc).
void useHugePages(char **argv);

} // namespace mav

#endif // MAV_SUPPORT_PROCESS_H
