//===- Parser.h - Parse the textual IR into a Graph -------------*- C++ -*-===//
//
// The parser reports every problem as `file:line:col: error: ...` through a
// DiagnosticEngine and keeps going to the next node after an error, so one
// run shows several errors. It checks what the grammar and SSA form require
// (values defined once and before use, result numbers in range); everything
// else is the verifier's job (Verifier.h).
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_PARSER_H
#define MAV_IR_PARSER_H

#include "mav/IR/Graph.h"
#include "mav/Support/Diagnostics.h"

#include <memory>

namespace mav {

/// Limits that keep hostile inputs from exhausting the stack or the screen.
struct ParserLimits {
  /// Deepest nesting of lists, dictionaries and tuple/list types.
  unsigned maxNestingDepth = 256;
  /// Errors reported before the parser gives up.
  unsigned maxErrors = 20;
};

/// Parses one graph from `buffer`. Returns null after reporting errors.
/// The graph keeps `buffer` alive so later diagnostics can point into it.
/// Types and attribute values are created in `context`, which must outlive
/// the graph.
std::unique_ptr<Graph> parseGraph(IRContext &context,
                                  std::shared_ptr<const SourceBuffer> buffer,
                                  DiagnosticEngine &diags,
                                  const ParserLimits &limits = {});

} // namespace mav

#endif // MAV_IR_PARSER_H
