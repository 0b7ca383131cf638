//===- OptMain.h - The mav-opt driver ---------------------------*- C++ -*-===//
//
// mav-opt reads IR, runs a pipeline of registered passes, and prints IR. All
// of its logic lives here so that tools/mav-opt/mav-opt.cpp stays a few lines:
// register the passes, call optMain.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_TOOLS_OPTMAIN_H
#define MAV_TOOLS_OPTMAIN_H

#include "mav/Pass/PassRegistry.h"

namespace mav {

/// Runs mav-opt with the passes of `registry`; returns the exit code.
int optMain(int argc, char **argv, const PassRegistry &registry);

} // namespace mav

#endif // MAV_TOOLS_OPTMAIN_H
