//===- Process.h - Process-wide set-up of the tools -------------*- C++ -*-===//
//
// What a tool does once, first thing in main, before it allocates anything
// that matters.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_PROCESS_H
#define MAV_SUPPORT_PROCESS_H

namespace mav {

/// Sets up glibc's malloc for graphs of millions of small objects reached
/// in no particular order, on a machine where page faults and TLB misses
/// are expensive (a paravirtualised VM):
///
/// - Huge pages: runs the program again with `glibc.malloc.hugetlb=1` added
///   to GLIBC_TUNABLES (glibc reads tunables only at start-up), so that the
///   heap is backed by transparent huge pages. Only done when an argument
///   names an input file of 1 MB or more (a second process start costs more
///   than huge pages save on a small graph), or MAV_HUGEPAGES=1 is set; not
///   done when the kernel has transparent huge pages off, GLIBC_TUNABLES
///   already names the tunable (so the program never runs more than twice),
///   MAV_HUGEPAGES=0 is set, the C library is not glibc, or the program
///   cannot be run again (no /proc).
/// - Large blocks on the heap: blocks of up to 32 MB come from the heap, and
///   the heap grows 32 MB at a time (mallopt), instead of a mapping of their
///   own per block of 128 KB or more.
///
/// Together they take a 10k-node pipeline from 0.16 s to about 0.06 s
/// (docs/Performance.md).
void setUpAllocator(char **argv);

} // namespace mav

#endif // MAV_SUPPORT_PROCESS_H
