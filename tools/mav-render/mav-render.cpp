//===- mav-render.cpp - Draw model-graph IR -------------------------------===//
//
// A thin main: register mav's passes (run by default when the IR has no
// layout, colours or costs) and backends, and hand over to mav::renderMain.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/RenderMain.h"
#include "mav/Support/Process.h"
#include "mav/Transforms/Passes.h"

int main(int argc, char **argv) {
  mav::PassRegistry passes;
  mav::registerAllPasses(passes);
  mav::BackendRegistry backends;
  mav::registerAllBackends(backends);
  return mav::runReportingOutOfMemory(
      [&] { return mav::renderMain(argc, argv, passes, backends); });
}
