//===- Printer.cpp - Deterministic text form of the IR --------------------===//
//
// Prints the textual IR of docs/IR.md into a std::string: one node per line,
// dictionary keys in the order DictAttr keeps them (sorted), floats in their
// shortest round-tripping form, names and keys quoted only when they must be.
//
// Types, lists and dictionaries are uniqued, and a model repeats them on
// node after node (the `ops` of every convolution of a stage), so a graph's
// printer remembers where it printed each one and copies that text when it
// meets the same value again (printing a 10k-node model then takes a third
// fewer instructions).
//
//===----------------------------------------------------------------------===//

#include "mav/IR/Printer.h"
#include "mav/Support/Text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

using namespace mav;

static bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '$';
}

/// Bytes a string literal holds as they are: printable ASCII but `"` and
/// `\`.
static bool isPlainLiteralChar(unsigned char c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

bool mav::isBareName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), isNameChar);
}

bool mav::isBareKey(std::string_view key) {
  if (key.empty() || !((key[0] >= 'a' && key[0] <= 'z') ||
                       (key[0] >= 'A' && key[0] <= 'Z') || key[0] == '_'))
    return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return isNameChar(c) && c != '$'; });
}

static void writeInt(int64_t value, std::string &out) {
  std::array<char, 20> digits; // "-9223372036854775808"
  char *end = std::to_chars(digits.begin(), digits.end(), value).ptr;
  out.append(digits.data(), end - digits.data());
}

static void writeStringLiteral(std::string_view text, std::string &out) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    // Copy runs of printable ASCII without escapes in one go.
    size_t run = i;
    while (run < text.size() &&
           isPlainLiteralChar(static_cast<unsigned char>(text[run])))
      ++run;
    if (run != i) {
      out.append(text.substr(i, run - i));
      i = run;
      continue;
    }
    unsigned char c = text[i];
    switch (c) {
    case '"':
      out.append("\\\"");
      ++i;
      continue;
    case '\\':
      out.append("\\\\");
      ++i;
      continue;
    case '\n':
      out.append("\\n");
      ++i;
      continue;
    case '\t':
      out.append("\\t");
      ++i;
      continue;
    case '\r':
      out.append("\\r");
      ++i;
      continue;
    default:
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      out.append(fmt::format("\\x{:02X}", c));
      ++i;
      continue;
    }
    size_t len = getUtf8SequenceLength(text, i);
    if (len == 0) {
      // Not UTF-8: escape the byte so the output stays valid UTF-8 text.
      out.append(fmt::format("\\x{:02X}", c));
      ++i;
      continue;
    }
    out.append(text.substr(i, len));
    i += len;
  }
  out += '"';
}

static void writeFloat(double value, std::string &out) {
  if (std::isnan(value)) {
    out.append("nan");
    return;
  }
  if (std::isinf(value)) {
    out.append(value < 0 ? "-inf" : "inf");
    return;
  }
  // Whole numbers below 10^4 (layout coordinates, 0.0, 1.0) are their
  // integer digits: the shortest form prefers fixed notation over
  // exponents up to there ("10000" ties with "1e+04" and 100000 prints as
  // "1e+05"). -0.0 takes the general path to keep its sign.
  if (std::fabs(value) < 1e4 && value == std::trunc(value) &&
      !(value == 0 && std::signbit(value))) {
    writeInt(static_cast<int64_t>(value), out);
    out.append(".0");
    return;
  }
  std::array<char, 32> chars; // "-1.7976931348623157e+308" is 24
  char *end = std::to_chars(chars.begin(), chars.end(), value).ptr;
  out.append(chars.data(), end - chars.data());
  if (std::find_if(chars.begin(), end,
                   [](char c) { return c == '.' || c == 'e'; }) == end)
    out += ".0";
}

static void writeValueName(std::string_view name, std::string &out) {
  out += '%';
  if (isBareName(name))
    out.append(name);
  else
    writeStringLiteral(name, out);
}

static void writeKey(std::string_view key, std::string &out) {
  if (isBareKey(key))
    out.append(key);
  else
    writeStringLiteral(key, out);
}

void mav::printStringLiteral(std::string_view text, std::string &out) {
  writeStringLiteral(text, out);
}

void mav::printFloat(double value, std::string &out) { writeFloat(value, out); }

void mav::printValueName(std::string_view name, std::string &out) {
  writeValueName(name, out);
}

namespace {

/// Prints attribute values, dictionaries and types into one output.
class AttributePrinter {
public:
  /// `remember`: copy the text of a type, list or dictionary printed
  /// before instead of printing it again.
  AttributePrinter(std::string &out, bool remember)
      : out(out), remember(remember) {}

  void print(const Attribute &attr);
  void printDict(const DictAttr &dict);
  void printType(const Type &type) {
    printUniqued(type.getAsOpaquePointer(), [&] { type.print(out); });
  }

private:
  /// Prints the value whose uniqued storage is `storage` with `printText`,
  /// or copies its earlier text.
  template <typename PrintText>
  void printUniqued(const void *storage, PrintText printText);

  std::string &out;
  bool remember;
  /// Where each value was printed: out[offset, offset + length).
  std::unordered_map<const void *, std::pair<size_t, size_t>> printed;
};

} // namespace

template <typename PrintText>
void AttributePrinter::printUniqued(const void *storage, PrintText printText) {
  if (!remember || !storage)
    return printText();
  auto [it, isNew] = printed.try_emplace(storage);
  if (!isNew) {
    auto [offset, length] = it->second;
    out.reserve(out.size() + length); // the copy reads from `out` itself
    out.append(out.data() + offset, length);
    return;
  }
  size_t offset = out.size();
  printText();
  // (`it` may be invalid: printing nested values inserts more entries.)
  printed[storage] = {offset, out.size() - offset};
}

void AttributePrinter::printDict(const DictAttr &dict) {
  out += '{';
  bool first = true;
  for (const NamedAttribute &entry : dict) {
    if (!first)
      out += ", ";
    first = false;
    writeKey(entry.name, out);
    out += " = ";
    print(entry.value);
  }
  out += '}';
}

void AttributePrinter::print(const Attribute &attr) {
  switch (attr.getKind()) {
  case Attribute::Kind::None:
    out += "none";
    return;
  case Attribute::Kind::Bool:
    out += attr.getBool() ? "true" : "false";
    return;
  case Attribute::Kind::Int:
    writeInt(attr.getInt(), out);
    return;
  case Attribute::Kind::Float:
    writeFloat(attr.getFloat(), out);
    return;
  case Attribute::Kind::String:
    writeStringLiteral(attr.getString(), out);
    return;
  case Attribute::Kind::Type:
    printType(attr.getType());
    return;
  case Attribute::Kind::List:
    printUniqued(attr.getStorage(), [&] {
      out += '[';
      bool first = true;
      for (const Attribute &element : attr.getList()) {
        if (!first)
          out += ", ";
        first = false;
        print(element);
      }
      out += ']';
    });
    return;
  case Attribute::Kind::Dict:
    printUniqued(attr.getStorage(), [&] { printDict(attr.getDict()); });
    return;
  }
}

void mav::printAttribute(const Attribute &attr, std::string &out) {
  AttributePrinter(out, /*remember=*/false).print(attr);
}

static void printLocation(const Location &loc, std::string &out) {
  out.append(" loc(");
  writeStringLiteral(loc.file, out);
  if (loc.line) {
    out += ':';
    writeInt(loc.line, out);
    if (loc.column) {
      out += ':';
      writeInt(loc.column, out);
    }
  }
  out += ')';
}

static void printOperand(const Graph &graph, ValueRef ref, std::string &out) {
  const Node &producer = graph.getNode(ref.node);
  writeValueName(producer.name, out);
  if (producer.resultTypes.size() != 1) {
    out += '#';
    writeInt(ref.result, out);
  }
}

static void printNode(const Graph &graph, const Node &node, std::string &out,
                      AttributePrinter &printer, const PrintOptions &options) {
  out.append("  ");
  writeValueName(node.name, out);
  out.append(" = node ");
  writeStringLiteral(node.op, out);
  out += '(';
  for (size_t i = 0; i < node.operands.size(); ++i) {
    if (i)
      out.append(", ");
    printOperand(graph, node.operands[i], out);
  }
  out += ')';
  if (!node.attrs.empty()) {
    out += ' ';
    printer.printDict(node.attrs);
  }
  out.append(" : ");
  if (node.resultTypes.size() == 1) {
    printer.printType(node.resultTypes[0]);
  } else {
    out += '(';
    for (size_t i = 0; i < node.resultTypes.size(); ++i) {
      if (i)
        out.append(", ");
      printer.printType(node.resultTypes[i]);
    }
    out += ')';
  }
  if (options.printLocations && node.loc.isKnown())
    printLocation(node.loc, out);
  out += '\n';
}

void mav::printGraph(const Graph &graph, std::string &out,
                     const PrintOptions &options) {
  out += "graph @";
  if (isBareName(graph.getName()))
    out += graph.getName();
  else
    writeStringLiteral(graph.getName(), out);
  AttributePrinter printer(out, /*remember=*/true);
  if (!graph.getAttrs().empty()) {
    out += " attributes ";
    printer.printDict(graph.getAttrs());
  }
  out += " {\n";
  for (const Node &node : graph.getNodes())
    printNode(graph, node, out, printer, options);
  out += "}\n";
}

std::string mav::printGraphToString(const Graph &graph,
                                    const PrintOptions &options) {
  std::string out;
  printGraph(graph, out, options);
  return out;
}
