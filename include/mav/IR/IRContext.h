//===- IRContext.h - Owner of uniqued types and attributes ------*- C++ -*-===//
//
// Types and attribute values are uniqued (hash-consed), like MLIR's: equal
// values share one immutable copy, so a copy is a pointer copy and `==` a
// pointer comparison. That storage belongs to an IRContext, as MLIR's
// belongs to an MLIRContext: every factory that creates a type, a string,
// a list or a dictionary takes the context, and the context frees all of it
// when it is destroyed. Nothing is process-global, so a long-running process
// (a notebook) can build and drop graph after graph and stay flat in memory,
// and two contexts never see each other's values.
//
// A context must outlive every Graph, Type and Attribute made with it.
// Values of two contexts must not be mixed in one graph. Like MLIRContext
// without threading, a context is used from one thread at a time.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_IRCONTEXT_H
#define MAV_IR_IRCONTEXT_H

#include <cstddef>
#include <memory>

namespace mav {

namespace detail {
struct IRContextImpl;
} // namespace detail

class IRContext {
public:
  IRContext();
  ~IRContext();
  IRContext(const IRContext &) = delete;
  IRContext &operator=(const IRContext &) = delete;

  /// How many distinct values of each kind the context holds.
  struct StorageCounts {
    size_t types = 0, strings = 0, lists = 0, dicts = 0;
  };
  StorageCounts getStorageCounts() const;

  /// The uniquing tables (lib/IR/IRContextImpl.h), for the IR library.
  detail::IRContextImpl &getImpl() { return *impl; }

private:
  std::unique_ptr<detail::IRContextImpl> impl;
};

} // namespace mav

#endif // MAV_IR_IRCONTEXT_H
