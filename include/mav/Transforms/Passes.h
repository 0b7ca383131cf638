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
/// Registers `cost` (lib/Transforms/Cost.cpp).
void registerCostPass(PassRegistry &registry);
/// Registers `layout` (lib/Transforms/Layout.cpp).
void registerLayoutPass(PassRegistry &registry);
/// Registers `merge` (lib/Transforms/Merge.cpp).
void registerMergePass(PassRegistry &registry);
/// Registers `color` (lib/Transforms/Color.cpp).
void registerColorPass(PassRegistry &registry);
/// Registers `group` (lib/Transforms/Group.cpp).
void registerGroupPass(PassRegistry &registry);

} // namespace mav

#endif // MAV_TRANSFORMS_PASSES_H
