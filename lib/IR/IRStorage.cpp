//===- IRStorage.cpp - Uniqued storage of types and attributes ------------===//
//
// Types and attribute values are hash-consed: each distinct value is stored
// once, in a deque (stable addresses, few allocations), and found again
// through an open-addressing table of pointers keyed by the value's hash.
// Lookups take the value's parts (a pointer and a size), so a hit, which is
// the common case when parsing or tracing a model, allocates nothing.
//
// The storage lives as long as the process (the tables are created on first
// use and deliberately never destroyed, so exiting costs nothing), except
// that resetIRStorage() empties them for long-running fuzzers. It is not
// thread-safe, like LLVMContext: mav uses the IR from one thread.
//
//===----------------------------------------------------------------------===//

#include "IRStorage.h"

#include "mav/Support/MathExtras.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <functional>

using namespace mav;
using namespace mav::detail;

namespace {

/// A set of uniqued `Storage` objects (each with a `hash` member): an
/// open-addressing table whose slots keep the hash next to the pointer so
/// that a probe rarely touches the storage itself.
///
/// The table is kept at most three quarters full. Probes stay short at that
/// load (they compare hashes, mostly within one cache line), while a table
/// at most half full, rounded up to a power of two, would be up to twice
/// as large: for a million-node graph that is 64 MB more of memory to
/// zero and of cache misses on every new value.
template <typename Storage> class UniqueTable {
public:
  /// The stored value with `hash` for which `equals(storage)` holds, or a
  /// new one initialised by `create(storage)`.
  template <typename Equals, typename Create>
  const Storage *getOrCreate(size_t hash, Equals equals, Create create) {
    if (!fits(count + 1, slots.size()))
      grow();
    size_t mask = slots.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot &slot = slots[i];
      if (!slot.storage) {
        Storage &storage = values.emplace_back();
        create(storage);
        storage.hash = hash;
        slot = Slot{hash, &storage};
        ++count;
        return &storage;
      }
      if (slot.hash == hash && equals(*slot.storage))
        return slot.storage;
    }
  }

  void clear() {
    slots.clear();
    values.clear();
    count = 0;
  }

  size_t size() const { return count; }

  /// Makes room for `n` values in all, so that the table grows (and
  /// rehashes every value) once rather than once per doubling.
  void reserve(size_t n) {
    if (!fits(n + 1, slots.size()))
      rehash(powerOf2Ceil((n + 1) * 4 / 3 + 1, 64));
  }

private:
  struct Slot {
    size_t hash = 0;
    Storage *storage = nullptr;
  };

  /// Whether `n` values keep a table of `numSlots` at most 3/4 full.
  static bool fits(size_t n, size_t numSlots) { return n * 4 <= numSlots * 3; }

  void grow() { rehash(std::max<size_t>(64, slots.size() * 2)); }

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

  std::vector<Slot> slots;
  std::deque<Storage> values;
  size_t count = 0;
};

struct IRStorage {
  UniqueTable<TypeStorage> types;
  UniqueTable<StringStorage> strings;
  UniqueTable<ListStorage> lists;
  UniqueTable<DictStorage> dicts;
  /// Strings by the address they were passed at: passes set the same
  /// literal keys ("cost.macs") on every node, and finding those by address
  /// (then checking the text) skips hashing them. Direct-mapped. The
  /// address is kept next to the string so that a miss (the parser's
  /// strings are at a new address every time) costs no load of a string
  /// that is long out of the cache.
  struct RecentString {
    const char *address = nullptr;
    const StringStorage *storage = nullptr;
  };
  std::array<RecentString, 256> recentStrings{};
};

IRStorage &getStorage() {
  // Never destroyed: freeing millions of values at exit would only cost
  // time.
  static IRStorage *storage = new IRStorage;
  return *storage;
}

template <typename T> bool equalRange(const std::vector<T> &a, const T *b,
                                      size_t size) {
  if (a.size() != size)
    return false;
  for (size_t i = 0; i < size; ++i)
    if (a[i] != b[i])
      return false;
  return true;
}


} // namespace

const TypeStorage *detail::uniqueType(Type::Kind kind, DType dtype,
                                      bool ranked, const int64_t *dims,
                                      size_t rank, const Type *elements,
                                      size_t numElements) {
  size_t hash = hashCombine(static_cast<size_t>(kind),
                            static_cast<uint64_t>(dtype) << 8 | ranked);
  for (size_t i = 0; i < rank; ++i)
    hash = hashCombine(hash, static_cast<uint64_t>(dims[i]));
  for (size_t i = 0; i < numElements; ++i)
    hash = hashCombine(
        hash, reinterpret_cast<uintptr_t>(elements[i].getAsOpaquePointer()));
  return getStorage().types.getOrCreate(
      hash,
      [&](const TypeStorage &s) {
        return s.kind == kind && s.dtype == dtype && s.ranked == ranked &&
               equalRange(s.dims, dims, rank) &&
               equalRange(s.elements, elements, numElements);
      },
      [&](TypeStorage &s) {
        s.kind = kind;
        s.dtype = dtype;
        s.ranked = ranked;
        s.dims.assign(dims, dims + rank);
        s.elements.assign(elements, elements + numElements);
      });
}

const StringStorage *detail::uniqueString(std::string_view value) {
  IRStorage &storage = getStorage();
  IRStorage::RecentString &recent =
      storage.recentStrings[(reinterpret_cast<uintptr_t>(value.data()) >> 3) %
                            storage.recentStrings.size()];
  // The text at an address can change (a reused buffer): check it too.
  if (recent.storage && recent.address == value.data() &&
      recent.storage->value == value)
    return recent.storage;
  const StringStorage *result = storage.strings.getOrCreate(
      hashBytes(value),
      [&](const StringStorage &s) { return s.value == value; },
      [&](StringStorage &s) { s.value = value; });
  recent = {value.data(), result};
  return result;
}

const ListStorage *detail::uniqueList(const Attribute *elements,
                                      size_t size) {
  size_t hash = hashCombine(0x4C, size);
  for (size_t i = 0; i < size; ++i)
    hash = hashCombine(hash, elements[i].hash());
  return getStorage().lists.getOrCreate(
      hash,
      [&](const ListStorage &s) {
        return equalRange(s.elements, elements, size);
      },
      [&](ListStorage &s) { s.elements.assign(elements, elements + size); });
}

const DictStorage *detail::uniqueDict(const DictAttr &dict) {
  size_t hash = hashCombine(0x44, dict.size());
  for (const NamedAttribute &entry : dict)
    hash = hashCombine(
        hashCombine(hash, reinterpret_cast<uintptr_t>(entry.name.data())),
        entry.value.hash());
  return getStorage().dicts.getOrCreate(
      hash, [&](const DictStorage &s) { return s.dict == dict; },
      [&](DictStorage &s) { s.dict = dict; });
}

UniqueStorageCounts detail::countUniqueStorage() {
  IRStorage &storage = getStorage();
  return {storage.types.size(), storage.strings.size(), storage.lists.size(),
          storage.dicts.size()};
}

void detail::reserveUniqueStorage(const UniqueStorageCounts &counts) {
  IRStorage &storage = getStorage();
  storage.types.reserve(counts.types);
  storage.strings.reserve(counts.strings);
  storage.lists.reserve(counts.lists);
  storage.dicts.reserve(counts.dicts);
}

void mav::resetIRStorage() {
  IRStorage &storage = getStorage();
  storage.dicts.clear();
  storage.lists.clear();
  storage.strings.clear();
  storage.types.clear();
  storage.recentStrings.fill({});
}
