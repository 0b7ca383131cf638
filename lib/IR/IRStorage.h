//===- IRStorage.h - Uniqued storage of types and attributes ----*- C++ -*-===//
//
// The factories of Type and Attribute (Type::tensor, Attribute::list...) get
// their storage here: one hash table per kind of storage, for the whole
// process, so that equal values share one immutable copy.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_IR_IRSTORAGE_H
#define MAV_LIB_IR_IRSTORAGE_H

#include "mav/IR/Attribute.h"

namespace mav::detail {

/// Mixes `value` into `seed` (a 64-bit multiply-xorshift; the tables only
/// need a well spread hash, never a stable one).
inline size_t hashCombine(size_t seed, uint64_t value) {
  uint64_t h = (seed ^ value) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

const TypeStorage *uniqueType(Type::Kind kind, DType dtype, bool ranked,
                              const int64_t *dims, size_t rank,
                              const Type *elements, size_t numElements);
const StringStorage *uniqueString(std::string_view value);
const ListStorage *uniqueList(const Attribute *elements, size_t size);
const DictStorage *uniqueDict(const DictAttr &dict);

} // namespace mav::detail

#endif // MAV_LIB_IR_IRSTORAGE_H
