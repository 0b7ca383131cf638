//===- StateDictPickle.cpp - Tied tensors of a pickled state dict ---------===//
//
// A small interpreter of Python's pickle format (Lib/pickletools.py
// documents every opcode), enough for what torch.save writes for a state
// dict: a dict, or an OrderedDict built by REDUCE, from names to tensors
// rebuilt by `torch._utils._rebuild_tensor_v2(storage, offset, size,
// stride, ...)`, the storage being a persistent id `('storage', type, key,
// location, numel)`, and parameters wrapping a tensor in
// `_rebuild_parameter`. Calls are recorded, never made. A tensor that
// appears under two names is pickled once and fetched from the memo the
// second time; both come out with the same storage key, offset, sizes and
// strides, which is what "the same tensor" means here.
//
//===----------------------------------------------------------------------===//

#include "StateDictPickle.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

using namespace mav;
using namespace mav::import;

namespace {

/// A value on the pickle machine's stack. Calls (REDUCE, NEWOBJ) and
/// persistent ids are kept as records of what they would have built.
/// Values are owned by the machine and point at each other freely (a
/// pickle may make a list that holds itself); none owns another, so freeing
/// them never recurses.
struct Value {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    String,
    Tuple,
    List,
    Dict,
    Global,
    PersistentId,
    Call
  };
  Kind kind = Kind::None;
  int64_t integer = 0;
  std::string text;           // String; Global: `module name`
  std::vector<Value *> items; // Tuple, List; Dict: key, value, key...
  Value *callee = nullptr;    // Call
  Value *args = nullptr;      // Call, PersistentId
};

class PickleError {
public:
  explicit PickleError(std::string message) : message(std::move(message)) {}
  std::string message;
};

class Machine {
public:
  explicit Machine(std::string_view data) : data(data) {}

  /// Runs the pickle to its STOP; returns the value it leaves.
  const Value &run();

private:
  uint8_t byte() {
    need(1);
    return static_cast<uint8_t>(data[pos++]);
  }
  uint64_t littleEndian(size_t size) {
    need(size);
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i)
      value |= uint64_t(static_cast<uint8_t>(data[pos + i])) << (8 * i);
    pos += size;
    return value;
  }
  std::string_view bytes(uint64_t size) {
    need(size);
    std::string_view text = data.substr(pos, size);
    pos += size;
    return text;
  }
  std::string_view line() {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos)
      throw PickleError("truncated pickle");
    std::string_view text = data.substr(pos, end - pos);
    pos = end + 1;
    return text;
  }
  void need(uint64_t size) {
    if (size > data.size() - pos)
      throw PickleError("truncated pickle");
  }

  Value *push(Value::Kind kind) {
    Value &value = values.emplace_back();
    value.kind = kind;
    stack.push_back(&value);
    return &value;
  }
  void pushInt(int64_t integer) { push(Value::Kind::Int)->integer = integer; }
  void pushString(std::string_view text) {
    push(Value::Kind::String)->text = std::string(text);
  }
  Value *pop() {
    Value *value = top();
    stack.pop_back();
    return value;
  }
  Value *top() {
    if (stack.size() <= (marks.empty() ? 0 : marks.back()))
      throw PickleError("stack underflow");
    return stack.back();
  }
  /// The values pushed since the last MARK, which is removed.
  std::vector<Value *> popToMark() {
    if (marks.empty())
      throw PickleError("no MARK to pop to");
    std::vector<Value *> items(stack.begin() + marks.back(), stack.end());
    stack.resize(marks.back());
    marks.pop_back();
    return items;
  }
  /// Appends `items` to a list, or key/value pairs to a dict (or to an
  /// OrderedDict, which is a Call).
  void extend(Value &target, const std::vector<Value *> &items, bool pairs) {
    bool fits = pairs ? target.kind == Value::Kind::Dict ||
                            target.kind == Value::Kind::Call
                      : target.kind == Value::Kind::List ||
                            target.kind == Value::Kind::Tuple;
    if (!fits)
      throw PickleError(pairs ? "SETITEMS on a value that is not a dict"
                              : "APPENDS on a value that is not a list");
    if (pairs && items.size() % 2)
      throw PickleError("SETITEMS with an odd number of items");
    target.items.insert(target.items.end(), items.begin(), items.end());
  }
  void memoize(uint64_t index) { memo[index] = top(); }
  Value *recall(uint64_t index) {
    auto it = memo.find(index);
    if (it == memo.end())
      throw PickleError(fmt::format("memo entry {} was never stored", index));
    return it->second;
  }

  std::string_view data;
  size_t pos = 0;
  std::deque<Value> values; // every value made; stable addresses
  std::vector<Value *> stack;
  std::vector<size_t> marks;
  std::unordered_map<uint64_t, Value *> memo;
};

const Value &Machine::run() {
  while (true) {
    uint8_t op = byte();
    switch (op) {
    case 0x80: // PROTO
      if (byte() > 5)
        throw PickleError("pickle protocol newer than 5");
      break;
    case 0x95: // FRAME: a length hint only
      littleEndian(8);
      break;
    case '.': // STOP
      if (stack.size() != 1 || !marks.empty())
        throw PickleError("STOP with other values on the stack");
      return *stack.back();
    case '(': // MARK
      marks.push_back(stack.size());
      break;
    case '0': // POP
      pop();
      break;
    case '1': // POP_MARK
      popToMark();
      break;
    case '2': // DUP
      stack.push_back(top());
      break;
    case 'N': // NONE
      push(Value::Kind::None);
      break;
    case 0x88: // NEWTRUE
    case 0x89: // NEWFALSE
      push(Value::Kind::Bool)->integer = op == 0x88;
      break;
    case 'J': // BININT
      pushInt(static_cast<int32_t>(littleEndian(4)));
      break;
    case 'K': // BININT1
      pushInt(byte());
      break;
    case 'M': // BININT2
      pushInt(static_cast<int64_t>(littleEndian(2)));
      break;
    case 0x8a: { // LONG1: little-endian two's complement of n bytes
      uint8_t size = byte();
      if (size > 8)
        throw PickleError("integer wider than 64 bits");
      uint64_t raw = littleEndian(size);
      if (size && size < 8 && (raw >> (8 * size - 1)) & 1)
        raw |= ~uint64_t(0) << (8 * size); // sign-extend
      pushInt(static_cast<int64_t>(raw));
      break;
    }
    case 'G': // BINFLOAT: not needed, only skipped
      bytes(8);
      push(Value::Kind::Float);
      break;
    case 'X': // BINUNICODE
    case 'B': // BINBYTES
      pushString(bytes(littleEndian(4)));
      break;
    case 0x8c: // SHORT_BINUNICODE
    case 'C':  // SHORT_BINBYTES
      pushString(bytes(byte()));
      break;
    case 0x8d: // BINUNICODE8
    case 0x8e: // BINBYTES8
      pushString(bytes(littleEndian(8)));
      break;
    case '}': // EMPTY_DICT
      push(Value::Kind::Dict);
      break;
    case ']': // EMPTY_LIST
      push(Value::Kind::List);
      break;
    case ')': // EMPTY_TUPLE
      push(Value::Kind::Tuple);
      break;
    case 't':   // TUPLE
    case 'l':   // LIST
    case 'd': { // DICT
      std::vector<Value *> items = popToMark();
      Value *value = push(op == 't'   ? Value::Kind::Tuple
                          : op == 'l' ? Value::Kind::List
                                      : Value::Kind::Dict);
      extend(*value, items, /*pairs=*/op == 'd');
      break;
    }
    case 0x85:   // TUPLE1
    case 0x86:   // TUPLE2
    case 0x87: { // TUPLE3
      std::vector<Value *> items(op - 0x84);
      for (size_t i = items.size(); i-- > 0;)
        items[i] = pop();
      push(Value::Kind::Tuple)->items = std::move(items);
      break;
    }
    case 'a': { // APPEND
      Value *item = pop();
      extend(*top(), {item}, /*pairs=*/false);
      break;
    }
    case 's': { // SETITEM
      Value *value = pop();
      Value *key = pop();
      extend(*top(), {key, value}, /*pairs=*/true);
      break;
    }
    case 'e':   // APPENDS
    case 'u': { // SETITEMS
      std::vector<Value *> items = popToMark();
      extend(*top(), items, /*pairs=*/op == 'u');
      break;
    }
    case 'c': { // GLOBAL: module and name, one line each
      std::string module(line());
      std::string_view name = line();
      push(Value::Kind::Global)->text = module + " " + std::string(name);
      break;
    }
    case 0x93: { // STACK_GLOBAL
      Value *name = pop();
      Value *module = pop();
      if (name->kind != Value::Kind::String ||
          module->kind != Value::Kind::String)
        throw PickleError("STACK_GLOBAL of values that are not strings");
      push(Value::Kind::Global)->text = module->text + " " + name->text;
      break;
    }
    case 'Q': { // BINPERSID
      Value *id = pop();
      push(Value::Kind::PersistentId)->args = id;
      break;
    }
    case 'R':    // REDUCE
    case 0x81: { // NEWOBJ
      Value *args = pop();
      Value *callee = pop();
      Value *call = push(Value::Kind::Call);
      call->callee = callee;
      call->args = args;
      break;
    }
    case 'b': // BUILD: an object's state, not needed here
      pop();
      top();
      break;
    case 'q': // BINPUT
      memoize(byte());
      break;
    case 'r': // LONG_BINPUT
      memoize(littleEndian(4));
      break;
    case 0x94: // MEMOIZE
      memoize(memo.size());
      break;
    case 'h': // BINGET
      stack.push_back(recall(byte()));
      break;
    case 'j': // LONG_BINGET
      stack.push_back(recall(littleEndian(4)));
      break;
    default:
      throw PickleError(fmt::format("unsupported pickle opcode 0x{:02x} at "
                                    "byte {}",
                                    op, pos - 1));
    }
  }
}

bool isCallOf(const Value &value, std::string_view global) {
  return value.kind == Value::Kind::Call &&
         value.callee->kind == Value::Kind::Global &&
         value.callee->text == global && value.args->kind == Value::Kind::Tuple;
}

/// Integers of a tuple, as text (`1,16,`); nullopt if it holds other values.
std::optional<std::string> intTuple(const Value &value) {
  if (value.kind != Value::Kind::Tuple)
    return std::nullopt;
  std::string text;
  for (const Value *item : value.items) {
    if (item->kind != Value::Kind::Int)
      return std::nullopt;
    text += fmt::format("{},", item->integer);
  }
  return text;
}

/// What makes a pickled tensor the same tensor as another: its storage key,
/// offset, sizes and strides. nullopt for anything else (a tensor without a
/// storage, a tensor subclass...), which is then tied to nothing.
std::optional<std::string> tensorIdentity(const Value &value) {
  const Value *tensor = &value;
  if (isCallOf(value, "torch._utils _rebuild_parameter") ||
      isCallOf(value, "torch._utils _rebuild_parameter_with_state")) {
    if (value.args->items.empty())
      return std::nullopt;
    tensor = value.args->items[0];
  }
  if (!isCallOf(*tensor, "torch._utils _rebuild_tensor_v2"))
    return std::nullopt;
  const std::vector<Value *> &args = tensor->args->items;
  if (args.size() < 4 || args[0]->kind != Value::Kind::PersistentId ||
      args[1]->kind != Value::Kind::Int)
    return std::nullopt;
  // ('storage', storage type, key, location, numel)
  const Value &id = *args[0]->args;
  if (id.kind != Value::Kind::Tuple || id.items.size() < 3 ||
      id.items[0]->kind != Value::Kind::String ||
      id.items[0]->text != "storage" ||
      id.items[2]->kind != Value::Kind::String)
    return std::nullopt;
  std::optional<std::string> sizes = intTuple(*args[2]);
  std::optional<std::string> strides = intTuple(*args[3]);
  if (!sizes || !strides)
    return std::nullopt;
  return fmt::format("{}|{}|{}|{}", id.items[2]->text, args[1]->integer, *sizes,
                     *strides);
}

} // namespace

bool mav::import::readTiedTensors(std::string_view pickle,
                                  std::vector<std::vector<std::string>> &groups,
                                  std::string &error) {
  Machine machine(pickle);
  const Value *root;
  try {
    root = &machine.run();
  } catch (const PickleError &e) {
    error = e.message;
    return false;
  }
  // A dict, or an OrderedDict: `collections OrderedDict` called with no
  // arguments, its items set afterwards.
  if (root->kind != Value::Kind::Dict &&
      !isCallOf(*root, "collections OrderedDict")) {
    error = "the pickle is not a dict of tensors";
    return false;
  }
  std::map<std::string, std::vector<std::string>> namesOf;
  for (size_t i = 0; i + 1 < root->items.size(); i += 2) {
    const Value &key = *root->items[i];
    if (key.kind != Value::Kind::String)
      continue;
    if (std::optional<std::string> identity =
            tensorIdentity(*root->items[i + 1]))
      namesOf[*identity].push_back(key.text);
  }
  size_t first = groups.size();
  for (auto &[identity, names] : namesOf) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.size() > 1)
      groups.push_back(std::move(names));
  }
  std::sort(groups.begin() + static_cast<std::ptrdiff_t>(first), groups.end());
  return true;
}
