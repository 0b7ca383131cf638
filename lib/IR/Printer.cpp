//===- Printer.cpp - Deterministic text form of the IR --------------------===//

#include "mav/IR/Printer.h"
#include "mav/Support/MathExtras.h"
#include "mav/Support/Text.h"

#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

using namespace mav;

/// Characters of bare names, as a table: names and keys are checked on
/// every print.
static constexpr std::array<bool, 256> kNameChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c)
    table[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '$';
  return table;
}();

static bool isNameChar(char c) {
  return kNameChars[static_cast<unsigned char>(c)];
}

bool mav::isBareName(std::string_view name) {
  if (name.empty())
    return false;
  for (char c : name)
    if (!isNameChar(c))
      return false;
  return true;
}

bool mav::isBareKey(std::string_view key) {
  if (key.empty() || !((key[0] >= 'a' && key[0] <= 'z') ||
                       (key[0] >= 'A' && key[0] <= 'Z') || key[0] == '_'))
    return false;
  for (char c : key)
    if (!isNameChar(c) || c == '$')
      return false;
  return true;
}

/// Appends the decimal spelling of an integer (fmt::format_to per number is
/// several times slower, and printing is mostly numbers).
static void appendInt(int64_t value, std::string &out) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, res.ptr - buf);
}

void mav::printStringLiteral(std::string_view text, std::string &out) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    // Copy runs of printable ASCII without escapes in one go.
    size_t run = i;
    while (run < text.size()) {
      unsigned char r = text[run];
      if (r < 0x20 || r >= 0x7f || r == '"' || r == '\\')
        break;
      ++run;
    }
    if (run != i) {
      out.append(text.data() + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = text[i];
    switch (c) {
    case '"':
      out += "\\\"";
      ++i;
      continue;
    case '\\':
      out += "\\\\";
      ++i;
      continue;
    case '\n':
      out += "\\n";
      ++i;
      continue;
    case '\t':
      out += "\\t";
      ++i;
      continue;
    case '\r':
      out += "\\r";
      ++i;
      continue;
    default:
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\x{:02X}", c);
      ++i;
      continue;
    }
    size_t len = getUtf8SequenceLength(text, i);
    if (len == 0) {
      // Not UTF-8: escape the byte so the output stays valid UTF-8 text.
      fmt::format_to(std::back_inserter(out), "\\x{:02X}", c);
      ++i;
      continue;
    }
    out.append(text.data() + i, len);
    i += len;
  }
  out += '"';
}

void mav::printFloat(double value, std::string &out) {
  if (std::isnan(value)) {
    out += "nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-inf" : "inf";
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), value);
  std::string_view text(buf, res.ptr - buf);
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos)
    out += ".0";
}

void mav::printValueName(std::string_view name, std::string &out) {
  out += '%';
  if (isBareName(name))
    out += name;
  else
    printStringLiteral(name, out);
}

static void printKey(std::string_view key, std::string &out) {
  if (isBareKey(key))
    out += key;
  else
    printStringLiteral(key, out);
}

namespace {

/// Prints attributes, optionally remembering where each list and dictionary
/// was printed: attribute values are uniqued, so the `ops` list that
/// thousands of nodes share is one storage, and its later occurrences are
/// copied from the first spelling in the output instead of printed again.
class AttributePrinter {
public:
  /// `memoSlots`: size of the cache (0: none, e.g. for one value; else a
  /// power of two).
  AttributePrinter(std::string &out, size_t memoSlots) : out(out) {
    memo.resize(memoSlots);
  }
  /// A cache size for a graph of `nodes` nodes: a few aggregates a node, up
  /// to 16k slots.
  static size_t memoSlotsFor(size_t nodes) {
    return powerOf2Ceil(4 * nodes, 64, 1 << 14);
  }

  void print(const Attribute &attr);
  void printDict(const DictAttr &dict);
  /// Hands `out` to `sink` (which writes and empties it).
  bool flush(const std::function<bool(std::string &)> &sink) {
    flushedBytes += out.size();
    return sink(out);
  }

private:
  /// Where the value with this storage was printed: out[offset, +length).
  struct Printed {
    const void *storage = nullptr;
    size_t offset = 0;
    size_t length = 0;
  };
  void printAggregate(const Attribute &attr);

  std::string &out;
  std::vector<Printed> memo; // direct-mapped by storage address
  /// Bytes of output already handed on and gone from `out`; memo offsets
  /// count from the start of the whole output.
  size_t flushedBytes = 0;
};

} // namespace

void AttributePrinter::printDict(const DictAttr &dict) {
  out += '{';
  bool first = true;
  for (const NamedAttribute &entry : dict) {
    if (!first)
      out += ", ";
    first = false;
    printKey(entry.name, out);
    out += " = ";
    print(entry.value);
  }
  out += '}';
}

void AttributePrinter::printAggregate(const Attribute &attr) {
  if (attr.isList()) {
    out += '[';
    bool first = true;
    for (const Attribute &element : attr.getList()) {
      if (!first)
        out += ", ";
      first = false;
      print(element);
    }
    out += ']';
    return;
  }
  printDict(attr.getDict());
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
    appendInt(attr.getInt(), out);
    return;
  case Attribute::Kind::Float:
    printFloat(attr.getFloat(), out);
    return;
  case Attribute::Kind::String:
    printStringLiteral(attr.getString(), out);
    return;
  case Attribute::Kind::Type:
    attr.getType().print(out);
    return;
  case Attribute::Kind::List:
  case Attribute::Kind::Dict:
    break;
  }
  if (memo.empty())
    return printAggregate(attr);
  const void *storage = attr.getStorage();
  Printed &slot =
      memo[(reinterpret_cast<uintptr_t>(storage) >> 4) & (memo.size() - 1)];
  if (slot.storage == storage && slot.offset >= flushedBytes) {
    // Appending a part of `out` to itself is safe: std::string copies the
    // source before it frees an old buffer.
    out.append(out, slot.offset - flushedBytes, slot.length);
    return;
  }
  size_t offset = out.size();
  printAggregate(attr);
  slot = Printed{storage, flushedBytes + offset, out.size() - offset};
}

void mav::printAttribute(const Attribute &attr, std::string &out) {
  AttributePrinter(out, /*memoSlots=*/0).print(attr);
}

static void printLocation(const Location &loc, std::string &out) {
  out += " loc(";
  printStringLiteral(loc.file, out);
  if (loc.line) {
    fmt::format_to(std::back_inserter(out), ":{}", loc.line);
    if (loc.column)
      fmt::format_to(std::back_inserter(out), ":{}", loc.column);
  }
  out += ')';
}

static void printOperand(const Graph &graph, ValueRef ref, std::string &out) {
  const Node &producer = graph.getNode(ref.node);
  printValueName(producer.name, out);
  if (producer.resultTypes.size() != 1) {
    out += '#';
    appendInt(ref.result, out);
  }
}

static void printNode(const Graph &graph, const Node &node, std::string &out,
                      AttributePrinter &printer, const PrintOptions &options) {
  out += "  ";
  printValueName(node.name, out);
  out += " = node ";
  printStringLiteral(node.op, out);
  out += '(';
  for (size_t i = 0; i < node.operands.size(); ++i) {
    if (i)
      out += ", ";
    printOperand(graph, node.operands[i], out);
  }
  out += ')';
  if (!node.attrs.empty()) {
    out += ' ';
    printer.printDict(node.attrs);
  }
  out += " : ";
  if (node.resultTypes.size() == 1) {
    node.resultTypes[0].print(out);
  } else {
    out += '(';
    for (size_t i = 0; i < node.resultTypes.size(); ++i) {
      if (i)
        out += ", ";
      node.resultTypes[i].print(out);
    }
    out += ')';
  }
  if (options.printLocations && node.loc.isKnown())
    printLocation(node.loc, out);
  out += '\n';
}

bool mav::printGraph(const Graph &graph, std::string &out,
                     const PrintOptions &options, size_t chunkBytes,
                     const std::function<bool(std::string &)> &flush) {
  out += "graph @";
  if (isBareName(graph.getName()))
    out += graph.getName();
  else
    printStringLiteral(graph.getName(), out);
  AttributePrinter printer(out,
                           AttributePrinter::memoSlotsFor(graph.size()));
  if (!graph.getAttrs().empty()) {
    out += " attributes ";
    printer.printDict(graph.getAttrs());
  }
  out += " {\n";
  for (const Node &node : graph.getNodes()) {
    printNode(graph, node, out, printer, options);
    if (flush && out.size() >= chunkBytes && !printer.flush(flush))
      return false;
  }
  out += "}\n";
  return !flush || printer.flush(flush);
}

void mav::printGraph(const Graph &graph, std::string &out,
                     const PrintOptions &options) {
  printGraph(graph, out, options, 0, nullptr);
}

std::string mav::printGraphToString(const Graph &graph,
                                    const PrintOptions &options) {
  std::string out;
  printGraph(graph, out, options);
  return out;
}
