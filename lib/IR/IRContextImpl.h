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
#include <vector>

namespace mav::detail {

/// Mixes `value` into `seed` (a multiply-xorshift; the tables only need a
/// well spread hash, never a stable one).
inline size_t hashCombine(size_t seed, uint64_t value) {
  uint64_t h = (seed ^ value) * 0x9E3779B97F4A7C15ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

/// The uniqued values of one kind: each distinct value is stored once, in a
/// deque (stable addresses), and found again through an open-addressing
/// table of (hash, pointer) slots, kept at most three quarters full. Lookups
/// take the value's parts, so a hit, the common case when parsing or tracing
/// a model, allocates nothing, and a probe rarely touches a stored value
/// whose hash differs.
template <typename Storage> class StorageUniquer {
public:
  /// The stored value with `hash` for which `equals(storage)` holds, or a
  /// new one initialised by `create(storage)`.
  template <typename Equals, typename Create>
  const Storage *getOrCreate(size_t hash, Equals equals, Create create) {
    if (4 * (values.size() + 1) > 3 * slots.size())
      rehash(std::max<size_t>(64, 2 * slots.size()));
    size_t mask = slots.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot &slot = slots[i];
      if (!slot.storage) {
        Storage &storage = values.emplace_back();
        create(storage);
        storage.hash = hash;
        slot = Slot{hash, &storage};
        return &storage;
      }
      if (slot.hash == hash && equals(*slot.storage))
        return slot.storage;
    }
  }

  size_t size() const { return values.size(); }

private:
  struct Slot {
    size_t hash = 0;
    const Storage *storage = nullptr;
  };

  /// Moves every slot into a table of `numSlots` (a power of two).
  void rehash(size_t numSlots) {
    std::vector<Slot> old(numSlots);
    old.swap(slots);
    size_t mask = slots.size() - 1;
    for (const Slot &slot : old) {
      if (!slot.storage)
        continue;
      size_t i = slot.hash & mask;
      while (slots[i].storage)
        i = (i + 1) & mask;
      slots[i] = slot;
    }
  }

  std::deque<Storage> values;
  std::vector<Slot> slots;
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
