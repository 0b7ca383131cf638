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
#include <vector>

namespace mav {

/// Reads `path` (or stdin for `-`) into a buffer named after it
/// (`<stdin>` for stdin). Reports an error and returns null on failure.
std::shared_ptr<SourceBuffer> readInputFile(const std::string &path,
                                            DiagnosticEngine &diags);

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
