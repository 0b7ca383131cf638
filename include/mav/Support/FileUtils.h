//===- FileUtils.h - Reading inputs and writing outputs safely --*- C++ -*-===//
//
// Tools read a file or `-` (stdin) and write stdout or `-o FILE`. A FILE is
// written to a temporary file beside it and renamed into place only when the
// whole output is ready, so a failure never leaves a half-written file and
// never clobbers the previous one.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_FILEUTILS_H
#define MAV_SUPPORT_FILEUTILS_H

#include "mav/Support/Diagnostics.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

/// Reads `path` (or stdin for `-`) into a buffer named after it
/// (`<stdin>` for stdin). Reports an error and returns null on failure.
std::shared_ptr<SourceBuffer> readInputFile(const std::string &path,
                                            DiagnosticEngine &diags);

/// An output written in pieces: stdout for `-`, a device in place, or else
/// a temporary file beside `path` that commit() renames into place. If the
/// OutputFile is destroyed without a successful commit(), the temporary
/// file is removed, so a failure never leaves a half-written file. Errors
/// are reported once, naming the path.
class OutputFile {
public:
  /// Null (with an error reported) if the file cannot be created.
  static std::unique_ptr<OutputFile> open(const std::string &path,
                                          DiagnosticEngine &diags);
  ~OutputFile();
  OutputFile(const OutputFile &) = delete;
  OutputFile &operator=(const OutputFile &) = delete;

  /// Appends `data`; false once any write has failed.
  bool write(std::string_view data);
  /// Finishes the file (closes and renames it into place).
  LogicalResult commit();

private:
  OutputFile(std::string path, DiagnosticEngine &diags)
      : path(std::move(path)), diags(diags) {}
  void fail(int error);

  std::string path;
  DiagnosticEngine &diags;
  std::string temp; // the temporary file while it exists
  int fd = -1;
  bool failed = false;
};

/// Writes `content` to `path` (stdout for `-`), atomically for files.
LogicalResult writeOutputFile(const std::string &path,
                              const std::string &content,
                              DiagnosticEngine &diags);

/// Splits `buffer` at lines that are exactly `// -----` (mlir-opt's
/// `--split-input-file`). Each chunk keeps the buffer's name and reports the
/// line numbers of the original file.
std::vector<std::shared_ptr<SourceBuffer>>
splitInputBuffer(const SourceBuffer &buffer);

/// The marker between chunks, in inputs and in outputs.
inline constexpr const char *kSplitMarker = "// -----";

} // namespace mav

#endif // MAV_SUPPORT_FILEUTILS_H
