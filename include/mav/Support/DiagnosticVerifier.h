//===- DiagnosticVerifier.h - Check expected-error annotations --*- C++ -*-===//
//
// `--verify-diagnostics`, as in mlir-opt: the input carries comments such as
//   // expected-error@+1 {{use of undefined value}}
// and the run succeeds only if exactly the annotated diagnostics are emitted:
// same severity, same line (`@+N`/`@-N` relative to the comment's line, the
// comment's own line without `@`, or `@unknown` for diagnostics without a
// location), and a message containing the text between `{{` and `}}`.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_DIAGNOSTICVERIFIER_H
#define MAV_SUPPORT_DIAGNOSTICVERIFIER_H

#include "mav/Support/Diagnostics.h"

#include <vector>

namespace mav {

class DiagnosticVerifier {
public:
  /// Reads the annotations in `buffer`; malformed ones are reported to
  /// `diags` when finish() runs.
  explicit DiagnosticVerifier(const SourceBuffer &buffer);

  /// Records one emitted diagnostic (install as the engine's handler).
  void handle(const Diagnostic &diag);

  /// Reports unmatched expectations and unexpected diagnostics to `diags`;
  /// fails if there were any.
  LogicalResult finish(DiagnosticEngine &diags);

private:
  struct Expectation {
    Severity severity;
    unsigned line; // 0 for @unknown
    std::string text;
    size_t offset; // of the annotation, for reporting
    bool matched = false;
  };
  const SourceBuffer &buffer;
  std::vector<Expectation> expectations;
  std::vector<Diagnostic> malformed;
  std::vector<Diagnostic> unexpected;
};

} // namespace mav

#endif // MAV_SUPPORT_DIAGNOSTICVERIFIER_H
