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

#include <cstring>
#include <string_view>

namespace mav::detail {

/// Mixes `value` into `seed` (a 64-bit multiply-xorshift; the tables only
/// need a well spread hash, never a stable one).
inline size_t hashCombine(size_t seed, uint64_t value) {
  uint64_t h = (seed ^ value) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

/// A hash of a byte string for the tables here and the parser's caches
/// (it replaces std::hash, which is an out-of-line call, for the short keys
/// and names that make up most of them): eight bytes at a time, the tail as
/// one overlapping load, and a final avalanche so that every byte reaches
/// the low bits that index a table.
inline size_t hashBytes(std::string_view text) {
  auto load64 = [](const char *p) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    return word;
  };
  auto load32 = [](const char *p) {
    uint32_t word;
    std::memcpy(&word, p, sizeof(word));
    return word;
  };
  const char *p = text.data();
  size_t n = text.size();
  uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  auto mix = [&h](uint64_t word) {
    h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
  };
  if (n >= 8) {
    for (; n > 8; p += 8, n -= 8)
      mix(load64(p));
    mix(load64(p + n - 8)); // the last eight bytes, overlapping
  } else if (n >= 4) {
    mix(uint64_t{load32(p)} << 32 | load32(p + n - 4));
  } else if (n > 0) {
    mix(uint64_t{static_cast<unsigned char>(p[0])} << 16 |
        uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
        static_cast<unsigned char>(p[n - 1]));
  }
  h = (h ^ (h >> 31)) * 0x94D049BB133111EBull;
  return static_cast<size_t>(h ^ (h >> 29));
}

const TypeStorage *uniqueType(Type::Kind kind, DType dtype, bool ranked,
                              const int64_t *dims, size_t rank,
                              const Type *elements, size_t numElements);
const StringStorage *uniqueString(std::string_view value);
const ListStorage *uniqueList(const Attribute *elements, size_t size);
const DictStorage *uniqueDict(const DictAttr &dict);

/// How many distinct values of each kind are stored.
struct UniqueStorageCounts {
  size_t types = 0, strings = 0, lists = 0, dicts = 0;
};
UniqueStorageCounts countUniqueStorage();
/// Makes room for `counts` values of each kind in all. For a parser that
/// can predict how many a large input will create: growing a table of
/// millions of values step by step rehashes each of them several times,
/// at a cache miss each.
void reserveUniqueStorage(const UniqueStorageCounts &counts);

} // namespace mav::detail

#endif // MAV_LIB_IR_IRSTORAGE_H
