//===- RenderMain.h - The mav-render driver ---------------------*- C++ -*-===//
//
// mav-render reads IR, runs the default `cost`, `layout` and `color` passes
// when the IR lacks what they write, and lowers it with one registered
// backend. All of its logic lives here so that tools/mav-render stays a few
// lines: register passes and backends, call renderMain.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_RENDER_RENDERMAIN_H
#define MAV_RENDER_RENDERMAIN_H

#include "mav/Pass/PassRegistry.h"
#include "mav/Render/Backend.h"

namespace mav {

/// Runs mav-render; returns the exit code.
int renderMain(int argc, char **argv, const PassRegistry &passes,
               const BackendRegistry &backends);

/// Runs the passes a renderer needs and the IR lacks: `cost` when no node has
/// costs, `layout` when no node has a position, `color` when no node has a
/// colour. Fails with a diagnostic naming the pass when one is needed but not
/// registered.
LogicalResult runDefaultPasses(Graph &graph, const PassRegistry &passes,
                               DiagnosticEngine &diags);

} // namespace mav

#endif // MAV_RENDER_RENDERMAIN_H
