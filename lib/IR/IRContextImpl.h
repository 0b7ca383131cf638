//===- IRContextImpl.h - Uniquing tables of an IRContext --------*- C++ -*-===//
//
// The factories of Type and Attribute (Type::tensor, Attribute::list...) get
// their storage here: one table per kind of value, owned by the IRContext
// passed to the factory, so that equal values share one immutable copy.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_IR_IRCONTEXTIMPL_H
#define MAV_LIB_IR_IRCONTEXTIMPL_H

#include "mav/IR/Attribute.h"
#include "mav/IR/IRContext.h"

#include <deque>
#include <string_view>
#include <unordered_map>

namespace mav::detail {

/// Mixes `value` into `seed` (a multiply-xorshift; the tables only need a
/// well spread hash, never a stable one).
inline size_t hashCombine(size_t seed, uint64_t value) {
  uint64_t h = (seed ^ value) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

/// The uniqued values of one kind: each distinct value is stored once, in a
/// deque (stable addresses), and found again by its hash. Lookups take the
/// value's parts, so a hit, the common case when parsing or tracing a
/// model, allocates nothing.
template <typename Storage> class StorageUniquer {
public:
  /// The stored value with `hash` for which `equals(storage)` holds, or a
  /// new one initialised by `create(storage)`.
  template <typename Equals, typename Create>
  const Storage *getOrCreate(size_t hash, Equals equals, Create create) {
    auto [begin, end] = byHash.equal_range(hash);
    for (auto it = begin; it != end; ++it)
      if (equals(*it->second))
        return it->second;
    Storage &storage = values.emplace_back();
    create(storage);
    storage.hash = hash;
    byHash.emplace(hash, &storage);
    return &storage;
  }

  size_t size() const { return values.size(); }

private:
  std::deque<Storage> values;
  std::unordered_multimap<size_t, const Storage *> byHash;
};

struct IRContextImpl {
  StorageUniquer<TypeStorage> types;
  StorageUniquer<StringStorage> strings;
  StorageUniquer<ListStorage> lists;
  StorageUniquer<DictStorage> dicts;

  const TypeStorage *getType(Type::Kind kind, DType dtype, bool ranked,
                             const int64_t *dims, size_t rank,
                             const Type *elements, size_t numElements);
  const StringStorage *getString(std::string_view value);
  const ListStorage *getList(const Attribute *elements, size_t size);
  const DictStorage *getDict(const DictAttr &dict);
};

} // namespace mav::detail

#endif // MAV_LIB_IR_IRCONTEXTIMPL_H
