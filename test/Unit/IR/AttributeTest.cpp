//===- AttributeTest.cpp - Attribute, DictAttr and Type values ------------===//

#include "mav/IR/Attribute.h"
#include "mav/IR/Printer.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

using namespace mav;

namespace {
/// Every test builds its values in a context of its own.
class AttributeTest : public ::testing::Test {
protected:
  IRContext ctx;
};
using TypeTest = AttributeTest;
} // namespace

static std::string print(const Attribute &attr) {
  std::string out;
  printAttribute(attr, out);
  return out;
}

TEST_F(AttributeTest, KindsAndAccessors) {
  EXPECT_TRUE(Attribute().isNone());
  EXPECT_EQ(Attribute::integer(-7).getInt(), -7);
  EXPECT_TRUE(Attribute::boolean(false).isBool());
  EXPECT_DOUBLE_EQ(Attribute::real(0.25).getFloat(), 0.25);
  EXPECT_DOUBLE_EQ(Attribute::integer(3).getNumber(), 3.0);
  EXPECT_EQ(Attribute::string(ctx, "x").getString(), "x");
  EXPECT_EQ(Attribute::intList(ctx, {1, 2}).getList().size(), 2u);
  // The `none` type and the none attribute share a spelling: one meaning.
  EXPECT_TRUE(Attribute::type(Type::scalar(ctx, Type::Kind::None)).isNone());
}

TEST_F(AttributeTest, ValuesAreUniqued) {
  DictAttr inner;
  inner.set(ctx, "k", Attribute::intList(ctx, {1, 2, 3}));
  Attribute a = Attribute::dict(ctx, inner);
  // Editing the dictionary it was made from does not change the attribute.
  inner.set(ctx, "k", Attribute::integer(0));
  EXPECT_EQ(a.getDict().get("k")->getList().size(), 3u);
  Attribute b = Attribute::dict(ctx, inner);
  EXPECT_NE(a, b);
  // Equal values built separately share one storage.
  DictAttr again;
  again.set(ctx, "k", Attribute::intList(ctx, {1, 2, 3}));
  EXPECT_EQ(Attribute::dict(ctx, again), a);
  EXPECT_EQ(&Attribute::dict(ctx, again).getDict(), &a.getDict());
  // A string is stored once, however short.
  EXPECT_EQ(Attribute::string(ctx, "abc").getString().data(),
            Attribute::string(ctx, std::string("ab") + "c").getString().data());
  EXPECT_NE(Attribute::string(ctx, "abc").getStorage(), nullptr);
  EXPECT_EQ(Type::tensor(ctx, DType::F32, {1, 2}),
            Type::tensor(ctx, DType::F32, {1, 2}));
  EXPECT_NE(Type::tensor(ctx, DType::F32, {1, 2}),
            Type::tensor(ctx, DType::F32, {2, 1}));
  EXPECT_NE(Type::tensor(ctx, DType::F32, {}),
            Type::unrankedTensor(ctx, DType::F32));
  EXPECT_EQ(Attribute::list(
                ctx, {Attribute::string(ctx, "x"), Attribute::integer(1)}),
            Attribute::list(
                ctx, {Attribute::string(ctx, "x"), Attribute::integer(1)}));
  EXPECT_NE(Attribute::list(ctx, {Attribute::integer(1)}),
            Attribute::list(ctx, {Attribute::real(1.0)}));
}

TEST_F(AttributeTest, StringsKeepEveryByte) {
  // Bytes that a C string would cut short: the text survives, equal texts
  // are equal attributes with equal hashes, and texts that differ anywhere
  // (the last byte, the length) are not.
  for (size_t n = 0; n <= 24; ++n) {
    std::string text;
    for (size_t i = 0; i < n; ++i)
      text += static_cast<char>(i % 3 == 0 ? '\0' : 'a' + i);
    Attribute a = Attribute::string(ctx, text);
    Attribute b = Attribute::string(ctx, std::string(text));
    ASSERT_TRUE(a.isString());
    EXPECT_EQ(a.getString(), text) << "length " << n;
    EXPECT_EQ(a, b) << "length " << n;
    EXPECT_EQ(a.hash(), b.hash()) << "length " << n;
    EXPECT_NE(a, Attribute::string(ctx, text + "x")) << "length " << n;
    if (n > 0) {
      std::string other = text;
      other.back() ^= 1;
      EXPECT_NE(a, Attribute::string(ctx, other)) << "length " << n;
    }
  }
  EXPECT_NE(Attribute::string(ctx, ""), Attribute());
  // The text lives as long as the context, not as long as the attribute.
  std::string_view view;
  {
    Attribute original = Attribute::string(ctx, "node_17");
    view = original.getString();
  }
  EXPECT_EQ(view, "node_17");
}

TEST(IRContextTest, ContextsAreIndependent) {
  // Equal values of two contexts are stored in each; destroying one leaves
  // the other's values intact.
  IRContext kept;
  Attribute keptText = Attribute::string(kept, "layer1.0.conv1");
  Type keptType = Type::tensor(kept, DType::F32, {1, 64, 56, 56});
  {
    IRContext dropped;
    Attribute droppedText = Attribute::string(dropped, "layer1.0.conv1");
    EXPECT_NE(droppedText.getStorage(), keptText.getStorage());
    EXPECT_EQ(droppedText.getString(), keptText.getString());
    EXPECT_EQ(dropped.getStorageCounts().strings, 1u);
  }
  EXPECT_EQ(keptText.getString(), "layer1.0.conv1");
  EXPECT_EQ(keptType.str(), "f32[1,64,56,56]");
  EXPECT_EQ(Type::tensor(kept, DType::F32, {1, 64, 56, 56}), keptType);
  IRContext::StorageCounts counts = kept.getStorageCounts();
  EXPECT_EQ(counts.strings, 1u);
  EXPECT_EQ(counts.types, 1u);
}

TEST_F(AttributeTest, ManyValuesStayDistinct) {
  // Enough values to grow the tables several times; each must still be
  // found again, and distinct values must never be merged.
  std::vector<Attribute> strings, lists;
  for (int i = 0; i < 20000; ++i) {
    strings.push_back(Attribute::string(ctx, "s" + std::to_string(i)));
    lists.push_back(Attribute::intList(ctx, {i, i + 1}));
  }
  for (int i = 0; i < 20000; ++i) {
    EXPECT_EQ(Attribute::string(ctx, "s" + std::to_string(i)), strings[i]);
    EXPECT_EQ(Attribute::intList(ctx, {i, i + 1}), lists[i]);
    EXPECT_EQ(strings[i].getString(), "s" + std::to_string(i));
  }
  EXPECT_NE(strings[0], strings[1]);
  EXPECT_NE(lists[0], lists[1]);
}

TEST_F(AttributeTest, FloatEqualityIsBitwise) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Attribute::real(nan), Attribute::real(nan));
  EXPECT_NE(Attribute::real(0.0), Attribute::real(-0.0));
  EXPECT_NE(Attribute::real(1.0), Attribute::integer(1));
}

TEST_F(AttributeTest, DictStaysSortedAndUnique) {
  DictAttr dict;
  dict.set(ctx, "zeta", Attribute::integer(1));
  dict.set(ctx, "alpha", Attribute::integer(2));
  dict.set(ctx, "mid", Attribute::integer(3));
  dict.set(ctx, "alpha", Attribute::integer(4));
  ASSERT_EQ(dict.size(), 3u);
  std::vector<std::string> keys;
  for (const NamedAttribute &entry : dict)
    keys.emplace_back(entry.name);
  EXPECT_EQ(keys, (std::vector<std::string>{"alpha", "mid", "zeta"}));
  EXPECT_EQ(dict.getInt("alpha"), 4);
  EXPECT_TRUE(dict.erase("mid"));
  EXPECT_FALSE(dict.erase("mid"));
  EXPECT_EQ(dict.getInt("mid", -1), -1);
  EXPECT_EQ(dict.getString("zeta", "fallback"), "fallback");
}

TEST_F(AttributeTest, ShortestRoundTripFloats) {
  EXPECT_EQ(print(Attribute::real(1.0)), "1.0");
  EXPECT_EQ(print(Attribute::real(0.1)), "0.1");
  EXPECT_EQ(print(Attribute::real(1e-5)), "1e-05");
  EXPECT_EQ(print(Attribute::real(-0.0)), "-0.0");
  EXPECT_EQ(print(Attribute::real(std::numeric_limits<double>::infinity())),
            "inf");
  EXPECT_EQ(print(Attribute::real(-std::numeric_limits<double>::infinity())),
            "-inf");
  EXPECT_EQ(print(Attribute::real(std::nan(""))), "nan");
}

TEST_F(AttributeTest, StringEscapes) {
  EXPECT_EQ(print(Attribute::string(ctx, "a\"b\\c\n\t\x01")),
            "\"a\\\"b\\\\c\\n\\t\\x01\"");
  // Valid UTF-8 is kept; a lone invalid byte is escaped.
  EXPECT_EQ(print(Attribute::string(ctx, "\xC3\xA9")), "\"\xC3\xA9\"");
  EXPECT_EQ(print(Attribute::string(ctx, "\xFF")), "\"\\xFF\"");
}

TEST_F(TypeTest, SpellingAndElements) {
  EXPECT_EQ(Type::tensor(ctx, DType::F32, {1, 3, kUnknownDim}).str(),
            "f32[1,3,?]");
  EXPECT_EQ(Type::unrankedTensor(ctx, DType::I64).str(), "i64[*]");
  EXPECT_EQ(Type::tensor(ctx, DType::Bool, {}).str(), "bool[]");
  EXPECT_EQ(Type().str(), "?");
  EXPECT_EQ(
      Type::tuple(ctx, {Type::scalar(ctx, Type::Kind::Int),
                        Type::list(ctx, Type::tensor(ctx, DType::F16, {2}))})
          .str(),
      "tuple<int, list<f16[2]>>");
  EXPECT_EQ(Type::tensor(ctx, DType::F32, {2, 3, 4}).getNumElements(), 24);
  EXPECT_EQ(Type::tensor(ctx, DType::F32, {2, kUnknownDim}).getNumElements(),
            std::nullopt);
  // A product that overflows int64 is unknown, not wrapped.
  EXPECT_EQ(
      Type::tensor(ctx, DType::F32, {1LL << 40, 1LL << 40}).getNumElements(),
      std::nullopt);
  EXPECT_EQ(getDTypeByteWidth(DType::BF16), 2u);
  EXPECT_EQ(parseDTypeName("c64"), DType::C64);
  EXPECT_EQ(parseDTypeName("f33"), std::nullopt);
}
