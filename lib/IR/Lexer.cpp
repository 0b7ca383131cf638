//===- Lexer.cpp - Tokens of the textual IR -------------------------------===//

#include "Lexer.h"

#include <array>
#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

using namespace mav;
using namespace mav::detail;

Lexer::Lexer(const SourceBuffer &buffer)
    : buffer(buffer), text(buffer.getText()), data(text.data()) {}

namespace {
/// Character classes, one table load per byte in the scanning loops.
enum CharClass : uint8_t {
  kIdentStart = 1 << 0, // a-z A-Z _
  kIdentChar = 1 << 1,  // identifier start, digit or '.'
  kNameChar = 1 << 2,   // identifier char or '$'
  kDigit = 1 << 3,
  kBlank = 1 << 4,      // ' ', '\t', '\r' (a newline starts a line)
  kStringStop = 1 << 5, // ends the plain part of a string literal
};
} // namespace

static constexpr std::array<uint8_t, 256> kCharClasses = [] {
  std::array<uint8_t, 256> classes{};
  for (unsigned c = 0; c < 256; ++c) {
    bool identStart =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    bool identChar = identStart || digit || c == '.';
    uint8_t bits = 0;
    if (identStart)
      bits |= kIdentStart;
    if (identChar)
      bits |= kIdentChar;
    if (identChar || c == '$')
      bits |= kNameChar;
    if (digit)
      bits |= kDigit;
    if (c == ' ' || c == '\t' || c == '\r')
      bits |= kBlank;
    // Control characters (other than tab) are errors in a string; the NUL
    // after the text is one of them.
    if (c == '"' || c == '\\' || (c < 0x20 && c != '\t'))
      bits |= kStringStop;
    classes[c] = bits;
  }
  return classes;
}();

static bool hasClass(char c, uint8_t mask) {
  return kCharClasses[static_cast<unsigned char>(c)] & mask;
}
static bool isDigit(char c) { return hasClass(c, kDigit); }
static bool isIdentChar(char c) { return hasClass(c, kIdentChar); }

void Lexer::setError(Token &tok, size_t start, size_t at, std::string message) {
  setToken(tok, TokenKind::Error, start);
  this->message = std::move(message);
  tok.text = this->message;
  tok.errorOffset = at;
}

void Lexer::skipWhitespaceAndComments() {
  // On a local copy of the position, which the compiler can keep in a
  // register. Stops at the NUL after the text.
  size_t at = pos;
  while (true) {
    char c = data[at];
    if (hasClass(c, kBlank)) {
      ++at;
    } else if (c == '\n') {
      atLineStart = true;
      ++at;
    } else if (c == '/' && data[at + 1] == '/') {
      const void *eol = std::memchr(data + at, '\n', text.size() - at);
      at = eol ? static_cast<const char *>(eol) - data : text.size();
    } else {
      break;
    }
  }
  pos = at;
}

void Lexer::lex(Token &tok) {
  skipWhitespaceAndComments();
  size_t start = pos;
  tok.startsLine = atLineStart;
  atLineStart = false;
  if (pos >= text.size()) {
    setToken(tok, TokenKind::Eof, start);
    return;
  }
  char c = data[pos];
  auto single = [&](TokenKind kind) {
    ++pos;
    setToken(tok, kind, start);
  };
  switch (c) {
  case '(':
    return single(TokenKind::LParen);
  case ')':
    return single(TokenKind::RParen);
  case '{':
    return single(TokenKind::LBrace);
  case '}':
    return single(TokenKind::RBrace);
  case '[':
    return single(TokenKind::LSquare);
  case ']':
    return single(TokenKind::RSquare);
  case '<':
    return single(TokenKind::Less);
  case '>':
    return single(TokenKind::Greater);
  case ',':
    return single(TokenKind::Comma);
  case '=':
    return single(TokenKind::Equal);
  case ':':
    return single(TokenKind::Colon);
  case '?':
    return single(TokenKind::Question);
  case '*':
    return single(TokenKind::Star);
  case '"':
    return lexString(tok, start);
  case '%':
  case '@': {
    ++pos;
    // A quoted name is lexed as a string token first, which (as it always
    // has) leaves the name token not starting a line.
    if (data[pos] == '"')
      tok.startsLine = false;
    if (!lexName(tok))
      return setError(tok, start, pos,
                      fmt::format("expected a name after '{}'", c));
    int64_t resultIndex = -1;
    if (c == '%' && data[pos] == '#') {
      size_t hashPos = pos++;
      size_t digits = pos;
      while (isDigit(data[pos]))
        ++pos;
      if (digits == pos)
        return setError(tok, start, hashPos,
                        "expected a result number after '#'");
      auto res = std::from_chars(data + digits, data + pos, resultIndex);
      if (res.ec != std::errc())
        return setError(tok, start, digits, "result number is too large");
    }
    setToken(tok, c == '%' ? TokenKind::ValueId : TokenKind::GraphId, start);
    tok.resultIndex = resultIndex;
    return;
  }
  default:
    break;
  }
  if (isDigit(c) || c == '-')
    return lexNumber(tok, start);
  if (hasClass(c, kIdentStart)) {
    size_t end = pos + 1;
    while (isIdentChar(data[end]))
      ++end;
    pos = end;
    setToken(tok, TokenKind::Identifier, start);
    tok.text = std::string_view(data + start, pos - start);
    return;
  }
  ++pos;
  unsigned char uc = static_cast<unsigned char>(c);
  if (uc < 0x20 || uc >= 0x7f)
    return setError(tok, start, start,
                    fmt::format("unexpected byte 0x{:02X}", uc));
  setError(tok, start, start, fmt::format("unexpected character '{}'", c));
}

bool Lexer::lexName(Token &tok) {
  if (data[pos] == '"') {
    lexString(tok, pos);
    return tok.kind == TokenKind::String;
  }
  size_t nameStart = pos, end = pos;
  while (hasClass(data[end], kNameChar))
    ++end;
  pos = end;
  if (end == nameStart)
    return false;
  tok.text = std::string_view(data + nameStart, end - nameStart);
  return true;
}

void Lexer::lexNumber(Token &tok, size_t start) {
  if (text[pos] == '-') {
    ++pos;
    if (text.compare(pos, 3, "inf") == 0 &&
        (pos + 3 >= text.size() || !isIdentChar(text[pos + 3]))) {
      pos += 3;
      setToken(tok, TokenKind::Float, start);
      tok.floatValue = -std::numeric_limits<double>::infinity();
      return;
    }
    if (!isDigit(data[pos]))
      return setError(tok, start, start, "expected a digit after '-'");
  }
  bool isFloat = false;
  while (isDigit(data[pos]))
    ++pos;
  if (data[pos] == '.') {
    isFloat = true;
    ++pos;
    while (isDigit(data[pos]))
      ++pos;
  }
  if (data[pos] == 'e' || data[pos] == 'E') {
    isFloat = true;
    ++pos;
    if (data[pos] == '+' || data[pos] == '-')
      ++pos;
    size_t expDigits = pos;
    while (isDigit(data[pos]))
      ++pos;
    if (expDigits == pos)
      return setError(tok, start, pos, "expected exponent digits");
  }
  const char *first = data + start;
  const char *last = data + pos;
  if (isFloat) {
    double value = 0;
    auto res = std::from_chars(first, last, value);
    if (res.ec == std::errc::result_out_of_range)
      return setError(tok, start, start, "float literal is out of range");
    if (res.ec != std::errc() || res.ptr != last)
      return setError(tok, start, start, "invalid float literal");
    setToken(tok, TokenKind::Float, start);
    tok.floatValue = value;
    return;
  }
  int64_t value = 0;
  auto res = std::from_chars(first, last, value);
  if (res.ec == std::errc::result_out_of_range)
    return setError(tok, start, start,
                    "integer literal does not fit in 64 bits");
  if (res.ec != std::errc() || res.ptr != last)
    return setError(tok, start, start, "invalid integer literal");
  setToken(tok, TokenKind::Integer, start);
  tok.intValue = value;
}

static int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

void Lexer::lexString(Token &tok, size_t start) {
  // Fast path: a string without escapes or control characters is its own
  // spelling; anything else is decoded (and diagnosed) below.
  size_t end = start + 1;
  while (!hasClass(data[end], kStringStop))
    ++end;
  if (data[end] == '"') {
    pos = end + 1;
    setToken(tok, TokenKind::String, start);
    tok.text = std::string_view(data + start + 1, end - start - 1);
    return;
  }
  lexEscapedString(tok, start);
}

void Lexer::lexEscapedString(Token &tok, size_t start) {
  pos = start + 1; // opening quote
  std::string &value = decoded;
  value.clear();
  while (true) {
    if (pos >= text.size() || text[pos] == '\n')
      return setError(tok, start, start, "unterminated string literal");
    char c = text[pos];
    if (c == '"') {
      ++pos;
      break;
    }
    if (c != '\\') {
      unsigned char uc = static_cast<unsigned char>(c);
      if (uc < 0x20 && c != '\t')
        return setError(tok, start, pos,
                        "control character in string literal; use an "
                        "escape");
      value += c;
      ++pos;
      continue;
    }
    size_t escapePos = pos++;
    if (pos >= text.size())
      return setError(tok, start, escapePos, "unterminated string literal");
    char e = text[pos++];
    switch (e) {
    case '"':
      value += '"';
      break;
    case '\\':
      value += '\\';
      break;
    case 'n':
      value += '\n';
      break;
    case 't':
      value += '\t';
      break;
    case 'r':
      value += '\r';
      break;
    case 'x': {
      int hi = pos < text.size() ? hexValue(text[pos]) : -1;
      int lo = pos + 1 < text.size() ? hexValue(text[pos + 1]) : -1;
      if (hi < 0 || lo < 0)
        return setError(tok, start, escapePos,
                        "expected two hex digits after '\\x'");
      value += static_cast<char>(hi * 16 + lo);
      pos += 2;
      break;
    }
    default:
      return setError(tok, start, escapePos,
                      "unknown escape sequence in string literal");
    }
  }
  setToken(tok, TokenKind::String, start);
  tok.text = value;
}

const char *mav::detail::getTokenKindName(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Error:
    return "invalid token";
  case TokenKind::ValueId:
    return "value name";
  case TokenKind::GraphId:
    return "graph name";
  case TokenKind::Identifier:
    return "identifier";
  case TokenKind::String:
    return "string";
  case TokenKind::Integer:
    return "integer";
  case TokenKind::Float:
    return "float";
  case TokenKind::LParen:
    return "'('";
  case TokenKind::RParen:
    return "')'";
  case TokenKind::LBrace:
    return "'{'";
  case TokenKind::RBrace:
    return "'}'";
  case TokenKind::LSquare:
    return "'['";
  case TokenKind::RSquare:
    return "']'";
  case TokenKind::Less:
    return "'<'";
  case TokenKind::Greater:
    return "'>'";
  case TokenKind::Comma:
    return "','";
  case TokenKind::Equal:
    return "'='";
  case TokenKind::Colon:
    return "':'";
  case TokenKind::Question:
    return "'?'";
  case TokenKind::Star:
    return "'*'";
  }
  return "token";
}
