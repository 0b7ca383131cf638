//===- ExportArchive.h - Read torch.export archives (.pt2) ------*- C++ -*-===//
//
// The second frontend of mav, with no libtorch: it reads the archive that
// `torch.export.save(ep, "model.pt2")` writes (a zip whose graph is JSON)
// and builds the same model graph IR as the TorchScript frontend
// (docs/Trace.md): module-level nodes grouped by the graph's
// `nn_module_stack`, or one node per aten op, with result types from the
// graph's `tensor_values`, parameters and buffers from its signature, and
// the aten ops each node stands for, so that the cost pass works unchanged.
//
// Only the JSON entries of the archive are decompressed; weight payloads are
// never read, so the time and memory of an import depend on the graph, not
// on the weights. Both archive layouts are read: the PT2 archive of
// PyTorch 2.8 and later (`<folder>/archive_format`, `<folder>/models/
// <name>.json`, `<folder>/data/weights/...`) and the legacy one
// (`serialized_exported_program.json`). docs/Trace.md ("torch.export
// archives") describes what is read.
//
// Every malformed input is reported as `error: <name>: ...` to the
// DiagnosticEngine and the import returns nullopt; nothing here throws,
// exits or prints.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IMPORT_EXPORTARCHIVE_H
#define MAV_IMPORT_EXPORTARCHIVE_H

#include "mav/IR/Graph.h"
#include "mav/Support/Diagnostics.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

/// How many nodes an imported graph has (as TraceGranularity of the
/// TorchScript frontend).
enum class ExportGranularity {
  /// IDLMAV's view: one node per leaf-module call and per op called directly
  /// in a non-leaf module's forward.
  Module,
  /// One node per aten op.
  Op,
};

struct ExportImportOptions {
  ExportGranularity granularity = ExportGranularity::Module;
  /// The graph's `source` attribute (usually the archive's file name); the
  /// buffer name when empty.
  std::string source;
  /// Parameters that are one tensor under several names (tied weights, such
  /// as GPT-2's `lm_head.weight` and `transformer.wte.weight`). The graph
  /// reads such a tensor through one of its names only; the archive reader
  /// fills this from the PT2 weights config, where the names share a file.
  std::vector<std::vector<std::string>> tiedParameters;
  /// Module path -> its class names from the root down (`named_modules()`
  /// with each module's class): names the not-run node of a module that
  /// owns parameters no op read, which the archive knows only by its
  /// parameters' names. Without it such a node's operation is `Module`.
  std::map<std::string, std::vector<std::string>> moduleClasses;
};

/// The exported-program schema major version this reader understands.
inline constexpr int64_t kExportSchemaMajorVersion = 8;

/// Limits that keep a hostile archive from exhausting memory or time.
inline constexpr uint64_t kMaxExportJsonBytes = uint64_t(256) << 20;
inline constexpr uint64_t kMaxExportArchiveEntries = 1000000;

/// What a model file is, judged by its content.
enum class ModelFileKind {
  /// Not a zip archive at all.
  NotZip,
  /// Starts like a zip archive but cannot be opened as one (truncated...).
  BrokenZip,
  /// A torch.export archive (either layout), or a damaged zip whose first
  /// entry is named like one.
  ExportArchive,
  /// Any other zip archive (TorchScript, or something else).
  OtherZip,
};

/// Classifies the file at `path` by its content: the zip magic, then the
/// names of its entries. Reads only the zip's central directory. A file
/// that cannot be opened is NotZip (the caller's loader reports it).
ModelFileKind classifyModelFile(const std::string &path);
/// The same for an archive in memory.
ModelFileKind classifyModelBuffer(std::string_view bytes);

/// Imports the torch.export archive held in `bytes`; `name` names it in
/// diagnostics. The graph's types and attributes are created in `ctx`.
std::optional<Graph> importExportArchive(IRContext &ctx, std::string_view bytes,
                                         std::string_view name,
                                         const ExportImportOptions &options,
                                         DiagnosticEngine &diags);

/// Imports the torch.export archive at `path`: the file is mapped into
/// memory and read as a buffer, so only its central directory and JSON
/// entries are ever read from disk.
std::optional<Graph> importExportArchiveFile(IRContext &ctx,
                                             const std::string &path,
                                             const ExportImportOptions &options,
                                             DiagnosticEngine &diags);

/// Imports a serialized ExportedProgram (the JSON document inside an
/// archive) on its own: what the archive readers call, and what the fuzzer
/// drives. `name` names the input in diagnostics.
std::optional<Graph> importExportedProgramJson(
    IRContext &ctx, std::string_view json, std::string_view name,
    const ExportImportOptions &options, DiagnosticEngine &diags);

} // namespace mav

#endif // MAV_IMPORT_EXPORTARCHIVE_H
