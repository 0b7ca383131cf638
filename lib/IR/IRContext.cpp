//===- IRContext.cpp - Owner of uniqued types and attributes --------------===//
//
// Each kind of value has a StorageUniquer keyed by a hash of the value's
// parts; the equality test compares the parts, so a hash collision costs a
// comparison, never a wrong answer. Everything is freed with the context.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/IRContext.h"

#include "IRContextImpl.h"

#include <algorithm>
#include <functional>

using namespace mav;
using namespace mav::detail;

IRContext::IRContext() : impl(std::make_unique<IRContextImpl>()) {}

IRContext::~IRContext() = default;

IRContext::StorageCounts IRContext::getStorageCounts() const {
  return {impl->types.size(), impl->strings.size(), impl->lists.size(),
          impl->dicts.size()};
}

template <typename T>
static bool equalRange(const std::vector<T> &a, const T *b, size_t size) {
  return a.size() == size && std::equal(a.begin(), a.end(), b);
}

const TypeStorage *IRContextImpl::getType(Type::Kind kind, DType dtype,
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
  return types.getOrCreate(
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

const StringStorage *IRContextImpl::getString(std::string_view value) {
  return strings.getOrCreate(
      std::hash<std::string_view>()(value),
      [&](const StringStorage &s) { return s.value == value; },
      [&](StringStorage &s) { s.value = value; });
}

const ListStorage *IRContextImpl::getList(const Attribute *elements,
                                          size_t size) {
  size_t hash = hashCombine(0x4C, size);
  for (size_t i = 0; i < size; ++i)
    hash = hashCombine(hash, elements[i].hash());
  return lists.getOrCreate(
      hash,
      [&](const ListStorage &s) {
        return equalRange(s.elements, elements, size);
      },
      [&](ListStorage &s) { s.elements.assign(elements, elements + size); });
}

const DictStorage *IRContextImpl::getDict(const DictAttr &dict) {
  size_t hash = hashCombine(0x44, dict.size());
  for (const NamedAttribute &entry : dict)
    hash = hashCombine(
        hashCombine(hash, reinterpret_cast<uintptr_t>(entry.name.data())),
        entry.value.hash());
  return dicts.getOrCreate(
      hash, [&](const DictStorage &s) { return s.dict == dict; },
      [&](DictStorage &s) { s.dict = dict; });
}
