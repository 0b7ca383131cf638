//===- Diagnostics.h - Source buffers and file:line:col diagnostics -*- C++
//-*-===//
//
// Every user-facing error in mav is a Diagnostic: a severity, a position in a
// source buffer (file:line:col), a message, the offending source line with a
// caret, and optional notes. Library code reports through a DiagnosticEngine
// and returns failure; only tools decide where diagnostics are printed.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_DIAGNOSTICS_H
#define MAV_SUPPORT_DIAGNOSTICS_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

/// The result of an operation that can fail; the reason has already been
/// reported as a diagnostic. Modelled on MLIR's LogicalResult.
class [[nodiscard]] LogicalResult {
public:
  static LogicalResult success() { return LogicalResult(true); }
  static LogicalResult failure() { return LogicalResult(false); }
  bool succeeded() const { return ok; }
  bool failed() const { return !ok; }

private:
  explicit LogicalResult(bool ok) : ok(ok) {}
  bool ok;
};
inline LogicalResult success() { return LogicalResult::success(); }
inline LogicalResult failure() { return LogicalResult::failure(); }
inline bool succeeded(LogicalResult r) { return r.succeeded(); }
inline bool failed(LogicalResult r) { return r.failed(); }

/// A named text buffer (a file, stdin, or a chunk of a split file). Line
/// numbers reported for it start at `firstLine`, so that a chunk of a
/// `--split-input-file` input reports lines of the original file.
class SourceBuffer {
public:
  SourceBuffer(std::string name, std::string text, unsigned firstLine = 1);

  const std::string &getName() const { return name; }
  const std::string &getText() const { return text; }
  unsigned getFirstLine() const { return firstLine; }

  /// 1-based line and byte column of a byte offset into the text.
  std::pair<unsigned, unsigned> getLineAndColumn(size_t offset) const;
  /// The text of the line containing `offset`, without its line break.
  std::string_view getLineText(size_t offset) const;

private:
  std::string name;
  std::string text;
  unsigned firstLine;
  std::vector<size_t> lineStarts; // offsets of the first byte of each line
};

/// A position in a source buffer. A default-constructed location is unknown.
struct SourceLoc {
  const SourceBuffer *buffer = nullptr;
  size_t offset = 0;
  bool isKnown() const { return buffer != nullptr; }
};

enum class Severity { Error, Warning, Note, Remark };

/// A diagnostic with its position already resolved to file, line and column.
struct Diagnostic {
  Severity severity = Severity::Error;
  std::string file;    // empty when the location is unknown
  unsigned line = 0;   // 0 when unknown
  unsigned column = 0; // 0 when unknown
  std::string message;
  std::string sourceLine; // the line the location points into, if known
  std::vector<Diagnostic> notes;

  /// Attaches a note, e.g. pointing at a previous definition.
  Diagnostic &attachNote(SourceLoc loc, std::string message);
};

/// Creates a diagnostic at `loc`, resolving the buffer position.
Diagnostic makeDiagnostic(Severity severity, SourceLoc loc,
                          std::string message);

/// Formats a diagnostic as `file:line:col: error: message`, followed by the
/// source line and a caret, and its notes. Control characters coming from
/// the input are escaped so that a hostile file cannot drive the terminal.
std::string formatDiagnostic(const Diagnostic &diag);

/// Escapes C0 control characters (other than tab) and DEL as `\xHH` so that
/// text taken from an input file can be printed to a terminal safely.
std::string escapeForTerminal(std::string_view text);

/// Collects diagnostics and hands them to a handler (by default: print to
/// stderr). Counts errors so callers can tell whether anything failed.
class DiagnosticEngine {
public:
  using Handler = std::function<void(const Diagnostic &)>;

  DiagnosticEngine();
  /// Replaces the handler; returns the previous one.
  Handler setHandler(Handler handler);

  void emit(Diagnostic diag);
  /// Shorthand for emit(makeDiagnostic(Severity::Error, loc, message)).
  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);

  unsigned getNumErrors() const { return numErrors; }
  void resetErrorCount() { numErrors = 0; }

private:
  Handler handler;
  unsigned numErrors = 0;
};

} // namespace mav

#endif // MAV_SUPPORT_DIAGNOSTICS_H
