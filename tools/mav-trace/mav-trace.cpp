//===- mav-trace.cpp - Trace a TorchScript model into model-graph IR ------===//
//
// A thin main: everything is in lib/Trace (mav::traceMain).
//
//===----------------------------------------------------------------------===//

#include "mav/Trace/Trace.h"

int main(int argc, char **argv) { return mav::traceMain(argc, argv); }
