//===- Printer.cpp - Deterministic text form of the IR --------------------===//
//
// Printing is most of the time of a round trip after parsing, and the text
// is mostly short pieces: punctuation, keys, small integers, node names. So
// the printer writes through a raw cursor into room grown ahead of it
// (OutputBuffer) rather than calling std::string::append per piece, and it
// works out repeated things once: each type's spelling and whether each
// dictionary key needs quotes are cached, and a list or dictionary value
// that was printed before is copied from its earlier spelling in the output.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/Printer.h"
#include "mav/Support/MathExtras.h"
#include "mav/Support/Text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

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

/// Bytes a string literal holds as they are: printable ASCII but `"` and
/// `\`.
static constexpr std::array<bool, 256> kPlainLiteralChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x7f; ++c)
    table[c] = c != '"' && c != '\\';
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

namespace {

/// Appends to a std::string through a raw cursor. std::string::append is
/// an out-of-line call that checks capacity and size for every piece; here
/// a piece costs an inline compare and a copy. To allow that, the string's
/// size runs ahead of the text written (the room is grown `growStep` bytes
/// at a time) until sync() trims it, which the destructor does.
class OutputBuffer {
public:
  /// `growStep`: how much room to add at a time. resize() zero-fills what
  /// it adds, so a large step suits only large outputs.
  explicit OutputBuffer(std::string &str, size_t growStep = 256)
      : str(str), growStep(growStep) {
    reload();
  }
  ~OutputBuffer() { sync(); }
  OutputBuffer(const OutputBuffer &) = delete;
  OutputBuffer &operator=(const OutputBuffer &) = delete;

  /// Makes room for `n` more bytes, for the *Unchecked calls and cursor().
  void reserve(size_t n) {
    if (static_cast<size_t>(end - cur) < n)
      grow(n);
  }
  void append(char c) {
    reserve(1);
    *cur++ = c;
  }
  void append(std::string_view text) {
    reserve(text.size());
    appendUnchecked(text);
  }
  void appendUnchecked(char c) { *cur++ = c; }
  void appendUnchecked(std::string_view text) {
    std::memcpy(cur, text.data(), text.size());
    cur += text.size();
  }
  /// Appends a copy of the text written at [offset, offset + length).
  void appendCopy(size_t offset, size_t length) {
    reserve(length);
    std::memcpy(cur, str.data() + offset, length);
    cur += length;
  }

  /// Where the next byte goes, for code that fills reserved room itself
  /// (std::to_chars); `advanceTo` takes the new end.
  char *cursor() { return cur; }
  void advanceTo(char *newCursor) { cur = newCursor; }

  /// Bytes in the string up to the cursor, including any it held before.
  size_t size() const { return static_cast<size_t>(cur - str.data()); }

  /// Trims the string to the text written. Code that then changes the
  /// string itself must call reload() before the next append.
  std::string &sync() {
    str.resize(size());
    reload();
    return str;
  }
  /// Continues after the string's current end.
  void reload() { cur = end = str.data() + str.size(); }

private:
  void grow(size_t n) {
    size_t used = size();
    // resize() rather than reserve(): only the string's size makes the
    // bytes up to it ours to write.
    str.resize(used + std::max(n, growStep));
    cur = str.data() + used;
    end = str.data() + str.size();
  }

  std::string &str;
  size_t growStep;
  char *cur;
  char *end;
};

} // namespace

/// Appends the decimal spelling of an integer (fmt::format_to per number is
/// several times slower, and printing is mostly numbers).
static void writeInt(int64_t value, OutputBuffer &out) {
  constexpr size_t kMaxDigits = 20; // "-9223372036854775808"
  out.reserve(kMaxDigits);
  char *cursor = out.cursor();
  out.advanceTo(std::to_chars(cursor, cursor + kMaxDigits, value).ptr);
}

static void writeStringLiteral(std::string_view text, OutputBuffer &out) {
  // Most literals (op names, module paths) need no escape: copy them whole.
  size_t plain = 0;
  while (plain < text.size() &&
         kPlainLiteralChars[static_cast<unsigned char>(text[plain])])
    ++plain;
  out.reserve(plain + 2);
  out.appendUnchecked('"');
  out.appendUnchecked(text.substr(0, plain));
  for (size_t i = plain; i < text.size();) {
    // Copy runs of printable ASCII without escapes in one go.
    size_t run = i;
    while (run < text.size() &&
           kPlainLiteralChars[static_cast<unsigned char>(text[run])])
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
  out.append('"');
}

static void writeFloat(double value, OutputBuffer &out) {
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
  constexpr size_t kMaxChars = 32; // "-1.7976931348623157e+308" is 24
  out.reserve(kMaxChars);
  char *begin = out.cursor();
  char *end = std::to_chars(begin, begin + kMaxChars, value).ptr;
  out.advanceTo(end);
  if (std::find_if(begin, end, [](char c) { return c == '.' || c == 'e'; }) ==
      end)
    out.append(".0");
}

static void writeValueName(std::string_view name, OutputBuffer &out) {
  out.append('%');
  if (isBareName(name))
    out.append(name);
  else
    writeStringLiteral(name, out);
}

static void writeKey(std::string_view key, OutputBuffer &out) {
  if (isBareKey(key))
    out.append(key);
  else
    writeStringLiteral(key, out);
}

void mav::printStringLiteral(std::string_view text, std::string &out) {
  OutputBuffer buffer(out);
  writeStringLiteral(text, buffer);
}

void mav::printFloat(double value, std::string &out) {
  OutputBuffer buffer(out);
  writeFloat(value, buffer);
}

void mav::printValueName(std::string_view name, std::string &out) {
  OutputBuffer buffer(out);
  writeValueName(name, buffer);
}

namespace {

/// Direct-mapped caches by address, for things that are uniqued (one
/// address is one value) and printed over and over: a graph has a few dozen
/// dictionary keys and types, printed millions of times.
class KeyCache {
public:
  /// `numSlots`: 0 (no cache) or a power of two.
  explicit KeyCache(size_t numSlots) : slots(numSlots) {}
  bool empty() const { return slots.empty(); }

  /// Whether `key` is bare (isBareKey), checked once per key.
  bool isBare(std::string_view key) {
    Slot &slot = slots[(reinterpret_cast<uintptr_t>(key.data()) >> 3) &
                       (slots.size() - 1)];
    if (slot.address != key.data() || slot.size != key.size())
      slot = Slot{key.data(), key.size(), isBareKey(key)};
    return slot.bare;
  }

private:
  struct Slot {
    const char *address = nullptr;
    size_t size = 0;
    bool bare = false;
  };
  std::vector<Slot> slots;
};

/// Spellings of types by their uniqued storage.
class TypeCache {
public:
  /// `numSlots`: 0 (no cache) or a power of two.
  explicit TypeCache(size_t numSlots) : slots(numSlots) {}
  bool empty() const { return slots.empty(); }

  /// The spelling of `type`, printed once per type.
  std::string_view getSpelling(const Type &type) {
    const void *storage = type.getAsOpaquePointer();
    Slot &slot = slots[(reinterpret_cast<uintptr_t>(storage) >> 3) &
                       (slots.size() - 1)];
    if (slot.storage != storage || slot.text.empty()) {
      slot.storage = storage;
      slot.text.clear();
      type.print(slot.text);
    }
    return slot.text;
  }

private:
  struct Slot {
    const void *storage = nullptr;
    std::string text;
  };
  std::vector<Slot> slots;
};

/// Prints attributes, optionally remembering where each list and dictionary
/// was printed: attribute values are uniqued, so the `ops` list that
/// thousands of nodes share is one storage, and its later occurrences are
/// copied from the first spelling in the output instead of printed again.
class AttributePrinter {
public:
  /// `memoSlots`: size of the caches (0: none, e.g. for one value; else a
  /// power of two).
  AttributePrinter(OutputBuffer &out, size_t memoSlots)
      : out(out), memo(memoSlots), keys(memoSlots ? kCacheSlots : 0),
        types(memoSlots ? kCacheSlots : 0) {}
  /// A cache size for a graph of `nodes` nodes: a few aggregates a node, up
  /// to 16k slots.
  static size_t memoSlotsFor(size_t nodes) {
    return powerOf2Ceil(4 * nodes, 64, 1 << 14);
  }

  void print(const Attribute &attr);
  void printDict(const DictAttr &dict);
  void printType(const Type &type);
  /// Hands the text to `sink` (which writes and empties it).
  bool flush(const std::function<bool(std::string &)> &sink) {
    flushedBytes += out.size();
    bool ok = sink(out.sync());
    out.reload();
    return ok;
  }

private:
  static constexpr size_t kCacheSlots = 256;

  /// Where the value with this storage was printed: out[offset, +length).
  struct Printed {
    const void *storage = nullptr;
    size_t offset = 0;
    size_t length = 0;
  };
  void printAggregate(const Attribute &attr);

  OutputBuffer &out;
  std::vector<Printed> memo; // direct-mapped by storage address
  KeyCache keys;
  TypeCache types;
  /// Bytes of output already handed on and gone from `out`; memo offsets
  /// count from the start of the whole output.
  size_t flushedBytes = 0;
};

} // namespace

void AttributePrinter::printType(const Type &type) {
  if (types.empty()) {
    type.print(out.sync());
    out.reload();
    return;
  }
  out.append(types.getSpelling(type));
}

void AttributePrinter::printDict(const DictAttr &dict) {
  out.append('{');
  bool first = true;
  for (const NamedAttribute &entry : dict) {
    if (!first)
      out.append(", ");
    first = false;
    if (!keys.empty() && keys.isBare(entry.name))
      out.append(entry.name);
    else
      writeKey(entry.name, out);
    out.append(" = ");
    print(entry.value);
  }
  out.append('}');
}

void AttributePrinter::printAggregate(const Attribute &attr) {
  if (attr.isList()) {
    out.append('[');
    bool first = true;
    for (const Attribute &element : attr.getList()) {
      if (!first)
        out.append(", ");
      first = false;
      print(element);
    }
    out.append(']');
    return;
  }
  printDict(attr.getDict());
}

void AttributePrinter::print(const Attribute &attr) {
  switch (attr.getKind()) {
  case Attribute::Kind::None:
    out.append("none");
    return;
  case Attribute::Kind::Bool:
    out.append(attr.getBool() ? "true" : "false");
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
  case Attribute::Kind::Dict:
    break;
  }
  if (memo.empty())
    return printAggregate(attr);
  const void *storage = attr.getStorage();
  Printed &slot =
      memo[(reinterpret_cast<uintptr_t>(storage) >> 4) & (memo.size() - 1)];
  if (slot.storage == storage && slot.offset >= flushedBytes) {
    out.appendCopy(slot.offset - flushedBytes, slot.length);
    return;
  }
  size_t offset = out.size();
  printAggregate(attr);
  slot = Printed{storage, flushedBytes + offset, out.size() - offset};
}

void mav::printAttribute(const Attribute &attr, std::string &out) {
  OutputBuffer buffer(out);
  AttributePrinter(buffer, /*memoSlots=*/0).print(attr);
}

static void printLocation(const Location &loc, OutputBuffer &out) {
  out.append(" loc(");
  writeStringLiteral(loc.file, out);
  if (loc.line) {
    out.append(':');
    writeInt(loc.line, out);
    if (loc.column) {
      out.append(':');
      writeInt(loc.column, out);
    }
  }
  out.append(')');
}

static void printOperand(const Graph &graph, ValueRef ref,
                         OutputBuffer &out) {
  const Node &producer = graph.getNode(ref.node);
  writeValueName(producer.name, out);
  if (producer.resultTypes.size() != 1) {
    out.append('#');
    writeInt(ref.result, out);
  }
}

static void printNode(const Graph &graph, const Node &node, OutputBuffer &out,
                      AttributePrinter &printer, const PrintOptions &options) {
  out.append("  ");
  writeValueName(node.name, out);
  out.append(" = node ");
  writeStringLiteral(node.op, out);
  out.append('(');
  for (size_t i = 0; i < node.operands.size(); ++i) {
    if (i)
      out.append(", ");
    printOperand(graph, node.operands[i], out);
  }
  out.append(')');
  if (!node.attrs.empty()) {
    out.append(' ');
    printer.printDict(node.attrs);
  }
  out.append(" : ");
  if (node.resultTypes.size() == 1) {
    printer.printType(node.resultTypes[0]);
  } else {
    out.append('(');
    for (size_t i = 0; i < node.resultTypes.size(); ++i) {
      if (i)
        out.append(", ");
      printer.printType(node.resultTypes[i]);
    }
    out.append(')');
  }
  if (options.printLocations && node.loc.isKnown())
    printLocation(node.loc, out);
  out.append('\n');
}

bool mav::printGraph(const Graph &graph, std::string &out,
                     const PrintOptions &options, size_t chunkBytes,
                     const std::function<bool(std::string &)> &flush) {
  // Room is added 64 KB at a time: few resizes, each zero-filling memory
  // that is written right after, while it is still in cache.
  OutputBuffer buffer(out, /*growStep=*/64 << 10);
  buffer.append("graph @");
  if (isBareName(graph.getName()))
    buffer.append(graph.getName());
  else
    writeStringLiteral(graph.getName(), buffer);
  AttributePrinter printer(buffer,
                           AttributePrinter::memoSlotsFor(graph.size()));
  if (!graph.getAttrs().empty()) {
    buffer.append(" attributes ");
    printer.printDict(graph.getAttrs());
  }
  buffer.append(" {\n");
  for (const Node &node : graph.getNodes()) {
    printNode(graph, node, buffer, printer, options);
    if (flush && buffer.size() >= chunkBytes && !printer.flush(flush))
      return false;
  }
  buffer.append("}\n");
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
