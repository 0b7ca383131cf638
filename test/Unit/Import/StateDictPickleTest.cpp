//===- StateDictPickleTest.cpp - Tied tensors of a pickled state dict -----===//
//
// Pickles written opcode by opcode, as torch.save writes a state dict
// (pickletools.dis of a real one is in the comment of each shape), and the
// ways a hostile one can go wrong.
//
//===----------------------------------------------------------------------===//

#include "StateDictPickle.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

using namespace mav::import;

namespace {

/// Writes a pickle, protocol 2.
class Pickle {
public:
  Pickle() { bytes = "\x80\x02"; }

  Pickle &op(char opcode) {
    bytes += opcode;
    return *this;
  }
  Pickle &str(std::string_view text) {
    bytes += 'X';
    le32(static_cast<uint32_t>(text.size()));
    bytes += text;
    return *this;
  }
  Pickle &integer(int32_t value) {
    bytes += 'J';
    le32(static_cast<uint32_t>(value));
    return *this;
  }
  Pickle &global(std::string_view module, std::string_view name) {
    bytes += 'c';
    bytes += module;
    bytes += '\n';
    bytes += name;
    bytes += '\n';
    return *this;
  }
  Pickle &put(uint8_t index) {
    bytes += 'q';
    bytes += static_cast<char>(index);
    return *this;
  }
  Pickle &get(uint8_t index) {
    bytes += 'h';
    bytes += static_cast<char>(index);
    return *this;
  }
  Pickle &ints(std::initializer_list<int32_t> values) {
    op('(');
    for (int32_t value : values)
      integer(value);
    return op('t');
  }
  /// `_rebuild_tensor_v2(persistent_load(('storage', FloatStorage, key,
  /// 'cpu', numel)), offset, sizes, strides, False, OrderedDict())`.
  Pickle &tensor(std::string_view key, int32_t offset,
                 std::initializer_list<int32_t> sizes,
                 std::initializer_list<int32_t> strides) {
    global("torch._utils", "_rebuild_tensor_v2").op('(');
    op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu");
    integer(1600).op('t').op('Q');
    integer(offset).ints(sizes).ints(strides).op('\x89');
    global("collections", "OrderedDict").op(')').op('R');
    return op('t').op('R');
  }
  /// `_rebuild_parameter(TENSOR, True, OrderedDict())` around the tensor
  /// written next.
  Pickle &parameterStart() {
    return global("torch._utils", "_rebuild_parameter").op('(');
  }
  Pickle &parameterEnd() {
    op('\x88').global("collections", "OrderedDict").op(')').op('R');
    return op('t').op('R');
  }

  std::string bytes;

private:
  void le32(uint32_t value) {
    for (int i = 0; i < 4; ++i)
      bytes += static_cast<char>(value >> (8 * i));
  }
};

std::vector<std::vector<std::string>> tied(const std::string &pickle) {
  std::vector<std::vector<std::string>> groups;
  std::string error;
  EXPECT_TRUE(readTiedTensors(pickle, groups, error)) << error;
  return groups;
}

std::string failure(const std::string &pickle) {
  std::vector<std::vector<std::string>> groups;
  std::string error;
  EXPECT_FALSE(readTiedTensors(pickle, groups, error));
  EXPECT_TRUE(groups.empty());
  return error;
}

using Groups = std::vector<std::vector<std::string>>;

// {'embed.weight': Parameter(t), 'decoder.weight': <memo of the same>}, as
// torch.save writes a tied state dict: the second name fetches the first
// one's Parameter from the memo.
TEST(StateDictPickleTest, MemoSharedParameterIsTied) {
  Pickle p;
  p.op('}').op('(').str("embed.weight");
  p.parameterStart().tensor("0", 0, {100, 16}, {16, 1}).parameterEnd();
  p.put(7).str("decoder.weight").get(7).str("bias");
  p.tensor("1", 0, {100}, {1}).op('u').op('.');
  EXPECT_EQ(tied(p.bytes), (Groups{{"decoder.weight", "embed.weight"}}));
}

// The same storage, offset, sizes and strides pickled twice (two tensor
// objects over one storage) is the same tensor too.
TEST(StateDictPickleTest, SameStorageAndViewIsTied) {
  Pickle p;
  p.global("collections", "OrderedDict").op(')').op('R').op('(');
  p.str("b.weight").tensor("3", 0, {4, 4}, {4, 1});
  p.str("a.weight").tensor("3", 0, {4, 4}, {4, 1});
  p.str("c.weight").tensor("3", 0, {4, 4}, {4, 1});
  p.op('u').op('.');
  EXPECT_EQ(tied(p.bytes), (Groups{{"a.weight", "b.weight", "c.weight"}}));
}

// Two views of one storage at different offsets, or with other shapes, are
// different tensors; so are different storages.
TEST(StateDictPickleTest, OtherViewsAndStoragesAreNotTied) {
  Pickle p;
  p.op('}').op('(');
  p.str("first").tensor("0", 0, {8}, {1});
  p.str("second").tensor("0", 8, {8}, {1});
  p.str("reshaped").tensor("0", 0, {2, 4}, {4, 1});
  p.str("other").tensor("1", 0, {8}, {1});
  p.op('u').op('.');
  EXPECT_EQ(tied(p.bytes), Groups{});
}

// Values that are not tensors (a tensor subclass, an int) are tied to
// nothing and do not stop the rest.
TEST(StateDictPickleTest, NonTensorValuesAreSkipped) {
  Pickle p;
  p.op('}').op('(');
  p.str("count").integer(3);
  p.str("meta").global("torch._utils", "_rebuild_meta_tensor_no_storage");
  p.ints({4}).op('R');
  p.str("x").tensor("0", 0, {2}, {1}).str("y").tensor("0", 0, {2}, {1});
  p.op('u').op('.');
  EXPECT_EQ(tied(p.bytes), (Groups{{"x", "y"}}));
}

TEST(StateDictPickleTest, MalformedPicklesAreErrors) {
  EXPECT_EQ(failure(""), "truncated pickle");
  EXPECT_EQ(failure(Pickle().op('}').bytes), "truncated pickle");
  Pickle longString;
  longString.bytes += "X\xff\xff\xff\x7f";
  EXPECT_EQ(failure(longString.bytes), "truncated pickle");
  EXPECT_EQ(failure(Pickle().op('}').op('}').op('.').bytes),
            "STOP with other values on the stack");
  EXPECT_EQ(failure(Pickle().op('R').bytes), "stack underflow");
  EXPECT_EQ(failure(Pickle().op('t').bytes), "no MARK to pop to");
  EXPECT_EQ(failure(Pickle().get(3).bytes), "memo entry 3 was never stored");
  // MARK hides what is below it.
  EXPECT_EQ(failure(Pickle().op('}').op('(').op('0').bytes), "stack underflow");
  EXPECT_EQ(failure(Pickle().op(')').str("k").integer(1).op('s').bytes),
            "SETITEMS on a value that is not a dict");
  EXPECT_EQ(failure(Pickle().op('}').integer(1).op('a').bytes),
            "APPENDS on a value that is not a list");
  EXPECT_EQ(failure(Pickle().op('\x82').bytes),
            "unsupported pickle opcode 0x82 at byte 2");
  EXPECT_EQ(failure(Pickle().op(']').op('.').bytes),
            "the pickle is not a dict of tensors");
  std::string newer = "\x80\x06}.";
  EXPECT_EQ(failure(newer), "pickle protocol newer than 5");
}

// A list that holds itself, and tuples nested 100,000 deep: nothing
// recursive frees or walks them.
TEST(StateDictPickleTest, CyclesAndDeepNestingAreSafe) {
  EXPECT_EQ(failure(Pickle().op(']').op('2').op('a').op('.').bytes),
            "the pickle is not a dict of tensors");
  Pickle nested;
  nested.op(')');
  for (int i = 0; i < 100000; ++i)
    nested.op('\x85'); // TUPLE1: ((((),),),)
  nested.op('.');
  EXPECT_EQ(failure(nested.bytes), "the pickle is not a dict of tensors");
}

} // namespace
