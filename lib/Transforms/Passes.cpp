//===- Passes.cpp - Registration of mav's passes --------------------------===//

#include "mav/Transforms/Passes.h"

using namespace mav;

void mav::registerAllPasses(PassRegistry &registry) {
  // Each pass file provides a register function; passes are added here as
  // they land (cost, merge, layout, color).
  (void)registry;
  registerCostPass(registry);
  registerLayoutPass(registry);
  registerMergePass(registry);
  registerColorPass(registry);
  registerGroupPass(registry);
}
