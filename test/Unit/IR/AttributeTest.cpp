//===- AttributeTest.cpp - Attribute, DictAttr and Type values ------------===//

#include "mav/IR/Attribute.h"
#include "mav/IR/Printer.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

using namespace mav;

static std::string print(const Attribute &attr) {
  std::string out;
  printAttribute(attr, out);
  return out;
}

TEST(AttributeTest, KindsAndAccessors) {
  EXPECT_TRUE(Attribute().isNone());
  EXPECT_EQ(Attribute::integer(-7).getInt(), -7);
  EXPECT_TRUE(Attribute::boolean(false).isBool());
  EXPECT_DOUBLE_EQ(Attribute::real(0.25).getFloat(), 0.25);
  EXPECT_DOUBLE_EQ(Attribute::integer(3).getNumber(), 3.0);
  EXPECT_EQ(Attribute::string("x").getString(), "x");
  EXPECT_EQ(Attribute::intList({1, 2}).getList().size(), 2u);
  // The `none` type and the none attribute share a spelling: one meaning.
  EXPECT_TRUE(Attribute::type(Type::scalar(Type::Kind::None)).isNone());
}

TEST(AttributeTest, ValuesAreUniqued) {
  DictAttr inner;
  inner.set("k", Attribute::intList({1, 2, 3}));
  Attribute a = Attribute::dict(inner);
  // Editing the dictionary it was made from does not change the attribute.
  inner.set("k", Attribute::integer(0));
  EXPECT_EQ(a.getDict().get("k")->getList().size(), 3u);
  Attribute b = Attribute::dict(inner);
  EXPECT_NE(a, b);
  // Equal values built separately share one storage.
  DictAttr again;
  again.set("k", Attribute::intList({1, 2, 3}));
  EXPECT_EQ(Attribute::dict(again), a);
  EXPECT_EQ(&Attribute::dict(again).getDict(), &a.getDict());
  EXPECT_EQ(&Attribute::string("abc").getString(),
            &Attribute::string(std::string("ab") + "c").getString());
  EXPECT_EQ(Type::tensor(DType::F32, {1, 2}), Type::tensor(DType::F32, {1, 2}));
  EXPECT_NE(Type::tensor(DType::F32, {1, 2}), Type::tensor(DType::F32, {2, 1}));
  EXPECT_NE(Type::tensor(DType::F32, {}), Type::unrankedTensor(DType::F32));
  EXPECT_EQ(Attribute::list({Attribute::string("x"), Attribute::integer(1)}),
            Attribute::list({Attribute::string("x"), Attribute::integer(1)}));
  EXPECT_NE(Attribute::list({Attribute::integer(1)}),
            Attribute::list({Attribute::real(1.0)}));
}

TEST(AttributeTest, ManyValuesStayDistinct) {
  // Enough values to grow the tables several times; each must still be
  // found again, and distinct values must never be merged.
  std::vector<Attribute> strings, lists;
  for (int i = 0; i < 20000; ++i) {
    strings.push_back(Attribute::string("s" + std::to_string(i)));
    lists.push_back(Attribute::intList({i, i + 1}));
  }
  for (int i = 0; i < 20000; ++i) {
    EXPECT_EQ(Attribute::string("s" + std::to_string(i)), strings[i]);
    EXPECT_EQ(Attribute::intList({i, i + 1}), lists[i]);
    EXPECT_EQ(strings[i].getString(), "s" + std::to_string(i));
  }
  EXPECT_NE(strings[0], strings[1]);
  EXPECT_NE(lists[0], lists[1]);
}

TEST(AttributeTest, FloatEqualityIsBitwise) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Attribute::real(nan), Attribute::real(nan));
  EXPECT_NE(Attribute::real(0.0), Attribute::real(-0.0));
  EXPECT_NE(Attribute::real(1.0), Attribute::integer(1));
}

TEST(AttributeTest, DictStaysSortedAndUnique) {
  DictAttr dict;
  dict.set("zeta", Attribute::integer(1));
  dict.set("alpha", Attribute::integer(2));
  dict.set("mid", Attribute::integer(3));
  dict.set("alpha", Attribute::integer(4));
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

TEST(AttributeTest, ShortestRoundTripFloats) {
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

TEST(AttributeTest, StringEscapes) {
  EXPECT_EQ(print(Attribute::string("a\"b\\c\n\t\x01")),
            "\"a\\\"b\\\\c\\n\\t\\x01\"");
  // Valid UTF-8 is kept; a lone invalid byte is escaped.
  EXPECT_EQ(print(Attribute::string("\xC3\xA9")), "\"\xC3\xA9\"");
  EXPECT_EQ(print(Attribute::string("\xFF")), "\"\\xFF\"");
}

TEST(TypeTest, SpellingAndElements) {
  EXPECT_EQ(Type::tensor(DType::F32, {1, 3, kUnknownDim}).str(), "f32[1,3,?]");
  EXPECT_EQ(Type::unrankedTensor(DType::I64).str(), "i64[*]");
  EXPECT_EQ(Type::tensor(DType::Bool, {}).str(), "bool[]");
  EXPECT_EQ(Type().str(), "?");
  EXPECT_EQ(Type::tuple({Type::scalar(Type::Kind::Int),
                         Type::list(Type::tensor(DType::F16, {2}))})
                .str(),
            "tuple<int, list<f16[2]>>");
  EXPECT_EQ(Type::tensor(DType::F32, {2, 3, 4}).getNumElements(), 24);
  EXPECT_EQ(Type::tensor(DType::F32, {2, kUnknownDim}).getNumElements(),
            std::nullopt);
  // A product that overflows int64 is unknown, not wrapped.
  EXPECT_EQ(Type::tensor(DType::F32, {1LL << 40, 1LL << 40}).getNumElements(),
            std::nullopt);
  EXPECT_EQ(getDTypeByteWidth(DType::BF16), 2u);
  EXPECT_EQ(parseDTypeName("c64"), DType::C64);
  EXPECT_EQ(parseDTypeName("f33"), std::nullopt);
}
