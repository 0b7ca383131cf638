//===- Passes.h - Registration of mav's passes ------------------*- C++ -*-===//
//
// Every pass of lib/Transforms registers itself here with its name, summary,
// options and statistics (see PassRegistry.h).
//
//===----------------------------------------------------------------------===//

#ifndef MAV_TRANSFORMS_PASSES_H
#define MAV_TRANSFORMS_PASSES_H

#include "mav/Pass/PassRegistry.h"

namespace mav {

/// Registers every pass of lib/Transforms.
void registerAllPasses(PassRegistry &registry);

} // namespace mav

#endif // MAV_TRANSFORMS_PASSES_H
