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
  // A long string is stored once; a short one in the attribute itself.
  std::string longText = "a string too long to be inline";
  ASSERT_GT(longText.size(), Attribute::kMaxInlineString);
  EXPECT_EQ(Attribute::string(longText).getString().data(),
            Attribute::string(std::string(longText)).getString().data());
  EXPECT_NE(Attribute::string(longText).getStorage(), nullptr);
  EXPECT_EQ(Attribute::string("abc").getStorage(), nullptr);
  EXPECT_EQ(Type::tensor(DType::F32, {1, 2}), Type::tensor(DType::F32, {1, 2}));
  EXPECT_NE(Type::tensor(DType::F32, {1, 2}), Type::tensor(DType::F32, {2, 1}));
  EXPECT_NE(Type::tensor(DType::F32, {}), Type::unrankedTensor(DType::F32));
  EXPECT_EQ(Attribute::list({Attribute::string("x"), Attribute::integer(1)}),
            Attribute::list({Attribute::string("x"), Attribute::integer(1)}));
  EXPECT_NE(Attribute::list({Attribute::integer(1)}),
            Attribute::list({Attribute::real(1.0)}));
}

TEST(AttributeTest, InlineAndUniquedStrings) {
  // Every length on either side of the inline limit, and bytes that a
  // C string would cut short: the text survives, equal texts are equal
  // attributes with equal hashes, and texts that differ anywhere (the last
  // byte, the length) are not.
  for (size_t n = 0; n <= Attribute::kMaxInlineString + 2; ++n) {
    std::string text;
    for (size_t i = 0; i < n; ++i)
      text += static_cast<char>(i % 3 == 0 ? '\0' : 'a' + i);
    Attribute a = Attribute::string(text);
    Attribute b = Attribute::string(std::string(text));
    ASSERT_TRUE(a.isString());
    EXPECT_EQ(a.getString(), text) << "length " << n;
    EXPECT_EQ(a, b) << "length " << n;
    EXPECT_EQ(a.hash(), b.hash()) << "length " << n;
    EXPECT_EQ(a.getStorage() == nullptr, n <= Attribute::kMaxInlineString)
        << "length " << n;
    EXPECT_NE(a, Attribute::string(text + "x")) << "length " << n;
    if (n > 0) {
      std::string other = text;
      other.back() ^= 1;
      EXPECT_NE(a, Attribute::string(other)) << "length " << n;
    }
    // An inline string is not mistaken for a scalar with the same bytes.
    EXPECT_NE(a, Attribute::integer(0)) << "length " << n;
  }
  EXPECT_NE(Attribute::string(""), Attribute());
  // A copy carries its own text: the view of the copy outlives the
  // original.
  std::string_view view;
  {
    Attribute original = Attribute::string("node_17");
    Attribute copy = original;
    original = Attribute::integer(1);
    view = copy.getString();
    EXPECT_EQ(view, "node_17");
  }
  // Uniqued lists and dictionaries tell short strings apart by value.
  EXPECT_EQ(Attribute::list({Attribute::string("n1")}),
            Attribute::list({Attribute::string(std::string("n") + "1")}));
  EXPECT_NE(Attribute::list({Attribute::string("n1")}),
            Attribute::list({Attribute::string("n2")}));
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
