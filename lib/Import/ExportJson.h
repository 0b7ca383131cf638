//===- ExportJson.h - Checked JSON and names for the .pt2 reader -*- C++
//-*-===//
//
// Internal to lib/Import: the helpers the importer of a serialized
// ExportedProgram (ExportedProgram.cpp) builds on. JSON from an archive is
// untrusted, so every accessor checks the kind it reads and throws an
// ImportError naming where; the importer turns that into a diagnostic.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_IMPORT_EXPORTJSON_H
#define MAV_LIB_IMPORT_EXPORTJSON_H

#include "mav/IR/Type.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace mav::import {

using json = nlohmann::json;

/// An error in the document; thrown by the helpers and the importer and
/// turned into a diagnostic by importExportedProgramJson.
struct ImportError {
  std::string message;
};

/// Throws an ImportError with `message`.
[[noreturn]] void fail(std::string message);

//===--- Checked JSON access: `where` names the place in messages --------===//

/// JSON's name of the kind of `value` ("object", "array"...).
const char *kindName(const json &value);
/// The member `key` of `object`, which must exist.
const json &member(const json &object, const char *key, std::string_view where);
/// The member `key` of `object`, or null when it is absent or null.
const json *optionalMember(const json &object, const char *key);
const std::string &asString(const json &value, std::string_view where);
int64_t asInt(const json &value, std::string_view where);
const json &asArray(const json &value, std::string_view where);
const json &asObject(const json &value, std::string_view where);
/// A schema union: an object with exactly one member, its case.
std::pair<const std::string *, const json *> unionCase(const json &value,
                                                       std::string_view where);

//===--- Names, as the TorchScript frontend spells them ------------------===//

/// `torch.ops.aten.conv2d.default` -> (`aten::conv2d`, `conv2d`); other
/// targets (`_operator.getitem`, higher-order ops) keep their full name.
std::pair<std::string, std::string> splitTarget(std::string_view target);
/// `__main__.Block` -> `Block`; other qualified names stay.
std::string cleanClassName(std::string_view cls);
/// The last component of a qualified class name.
std::string_view shortClassName(std::string_view cls);
/// Sequential, ModuleList and ModuleDict.
bool isContainerClass(std::string_view cls);
/// A module path as a node name: `layer1.0.conv1` -> `layer1_0_conv1`.
std::string pathToName(std::string_view path);
/// Whether op `name` was called as a tensor method, from the Python source
/// line of the call, or without one from `torch_fn`.
bool isMethodCall(std::string_view name, std::string_view sourceText,
                  std::string_view torchFn);
/// The code line of the innermost frame of a `stack_trace` that comes from
/// a real file.
std::string_view lastSourceLine(std::string_view trace);

//===--- Values ----------------------------------------------------------===//

/// The dtype of a schema ScalarType, if it has one in the IR.
std::optional<DType> scalarTypeToDType(int64_t scalarType);
/// A symbolic size in sympy's `srepr` form made readable (`2*s77`);
/// anything not recognised is kept as written.
std::string printSymExpr(std::string_view text);

} // namespace mav::import

#endif // MAV_LIB_IMPORT_EXPORTJSON_H
