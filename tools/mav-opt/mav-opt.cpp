//===- mav-opt.cpp - Run passes on model-graph IR -------------------------===//
//
// A thin main: register mav's passes (and the test-only passes of test/lib)
// and hand over to mav::optMain.
//
//===----------------------------------------------------------------------===//

#include "mav/Support/Process.h"
#include "mav/Tools/OptMain.h"
#include "mav/Transforms/Passes.h"

namespace mav::test {
void registerTestPasses(PassRegistry &registry);
} // namespace mav::test

int main(int argc, char **argv) {
  mav::PassRegistry registry;
  mav::registerAllPasses(registry);
  mav::test::registerTestPasses(registry);
  return mav::runReportingOutOfMemory(
      [&] { return mav::optMain(argc, argv, registry); });
}
