//===- Printer.h - Deterministic text form of the IR ------------*- C++ -*-===//
//
// Prints a Graph in the textual IR of docs/IR.md: one node per line,
// attributes sorted by key (DictAttr keeps them sorted), floats in their
// shortest round-tripping form. print(parse(text)) == text for printed text.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_PRINTER_H
#define MAV_IR_PRINTER_H

#include "mav/IR/Graph.h"

#include <string>
#include <string_view>

namespace mav {

struct PrintOptions {
  /// Print `loc(...)` of nodes that have one.
  bool printLocations = true;
};

/// Appends the text of `graph` to `out`.
void printGraph(const Graph &graph, std::string &out,
                const PrintOptions &options = {});
std::string printGraphToString(const Graph &graph,
                               const PrintOptions &options = {});
/// Appends an attribute value in IR syntax.
void printAttribute(const Attribute &attr, std::string &out);
/// Appends a string literal with IR escapes (`"a\"b\n"`).
void printStringLiteral(std::string_view text, std::string &out);
/// Appends a float in shortest round-trip form, always with a `.` or
/// exponent so it reads back as a float (`1.0`, `1e-05`, `inf`, `nan`).
void printFloat(double value, std::string &out);
/// Appends `%name` (or `%"name"` when the name is not a bare identifier).
void printValueName(std::string_view name, std::string &out);

/// Whether `name` can be printed as a bare value or graph name:
/// `[A-Za-z0-9_.$]+`.
bool isBareName(std::string_view name);
/// Whether `key` can be printed as a bare attribute key:
/// `[A-Za-z_][A-Za-z0-9_.]*`.
bool isBareKey(std::string_view key);

} // namespace mav

#endif // MAV_IR_PRINTER_H
