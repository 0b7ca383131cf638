//===- MathExtras.h - Small integer helpers ---------------------*- C++ -*-===//
//
// Sizing of the open-addressing and direct-mapped tables of lib/IR.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_MATHEXTRAS_H
#define MAV_SUPPORT_MATHEXTRAS_H

#include <cstddef>

namespace mav {

/// The smallest power of two that is at least `n` and at least `min` (a
/// power of two itself), and at most `max` when one is given.
inline size_t powerOf2Ceil(size_t n, size_t min = 1, size_t max = 0) {
  size_t result = min;
  while (result < n && (max == 0 || result < max))
    result *= 2;
  return result;
}

} // namespace mav

#endif // MAV_SUPPORT_MATHEXTRAS_H
