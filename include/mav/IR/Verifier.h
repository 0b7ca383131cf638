//===- Verifier.h - Structural checks of a Graph ----------------*- C++ -*-===//
//
// The verifier checks the invariants every pass and backend may rely on:
// unique node names, operands that refer to earlier nodes and existing
// results, operand/result counts that fit the operation (`input` has no
// operands, `output` no results), at least one `output`, and well-typed
// values for the attributes the IR gives a meaning to (docs/IR.md lists
// them). It runs after parsing and, by default, after every pass.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_VERIFIER_H
#define MAV_IR_VERIFIER_H

#include "mav/IR/Graph.h"
#include "mav/Support/Diagnostics.h"

namespace mav {

/// Reports every violated invariant (up to a limit) and fails if any.
LogicalResult verify(const Graph &graph, DiagnosticEngine &diags);

} // namespace mav

#endif // MAV_IR_VERIFIER_H
