//===- FuzzSupport.h - What several fuzz harnesses share --------*- C++ -*-===//

#ifndef MAV_TEST_FUZZ_FUZZSUPPORT_H
#define MAV_TEST_FUZZ_FUZZSUPPORT_H

#include "mav/Pass/PassRegistry.h"
#include "mav/Transforms/Passes.h"

namespace mav::fuzz {

/// The registry with every pass of lib/Transforms, built on first use.
inline const PassRegistry &getRegistry() {
  static const PassRegistry registry = [] {
    PassRegistry r;
    registerAllPasses(r);
    return r;
  }();
  return registry;
}

} // namespace mav::fuzz

#endif // MAV_TEST_FUZZ_FUZZSUPPORT_H
