//===- Lexer.cpp - Tokens of the textual IR -------------------------------===//

#include "Lexer.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

using namespace mav;
using namespace mav::detail;

Lexer::Lexer(const SourceBuffer &buffer)
    : buffer(buffer), text(buffer.getText()) {}

static bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool isDigit(char c) { return c >= '0' && c <= '9'; }
static bool isIdentChar(char c) {
  return isIdentStart(c) || isDigit(c) || c == '.';
}
static bool isNameChar(char c) { return isIdentChar(c) || c == '$'; }

Token Lexer::makeToken(TokenKind kind, size_t start) {
  Token tok;
  tok.kind = kind;
  tok.offset = start;
  tok.length = pos - start;
  tok.startsLine = atLineStart;
  atLineStart = false;
  return tok;
}

Token Lexer::makeError(size_t start, size_t at, std::string message) {
  Token tok = makeToken(TokenKind::Error, start);
  this->message = std::move(message);
  tok.text = this->message;
  tok.errorOffset = at;
  return tok;
}

void Lexer::skipWhitespaceAndComments() {
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '\n') {
      atLineStart = true;
      ++pos;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      ++pos;
    } else if (c == '/' && pos + 1 < text.size() && text[pos + 1] == '/') {
      size_t end = text.find('\n', pos);
      pos = end == std::string::npos ? text.size() : end;
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  skipWhitespaceAndComments();
  size_t start = pos;
  if (pos >= text.size())
    return makeToken(TokenKind::Eof, start);
  char c = text[pos];
  auto single = [&](TokenKind kind) {
    ++pos;
    return makeToken(kind, start);
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
    return lexString(start);
  case '%':
  case '@': {
    ++pos;
    Token tok;
    if (!lexName(tok, start))
      return makeError(start, pos,
                       fmt::format("expected a name after '{}'", c));
    std::string_view name = tok.text;
    int64_t resultIndex = -1;
    if (c == '%' && pos < text.size() && text[pos] == '#') {
      size_t hashPos = pos++;
      size_t digits = pos;
      while (pos < text.size() && isDigit(text[pos]))
        ++pos;
      if (digits == pos)
        return makeError(start, hashPos,
                         "expected a result number after '#'");
      auto res = std::from_chars(text.data() + digits, text.data() + pos,
                                 resultIndex);
      if (res.ec != std::errc())
        return makeError(start, digits, "result number is too large");
    }
    Token out =
        makeToken(c == '%' ? TokenKind::ValueId : TokenKind::GraphId, start);
    out.text = name;
    out.resultIndex = resultIndex;
    return out;
  }
  default:
    break;
  }
  if (isDigit(c) || c == '-')
    return lexNumber(start);
  if (isIdentStart(c)) {
    while (pos < text.size() && isIdentChar(text[pos]))
      ++pos;
    Token tok = makeToken(TokenKind::Identifier, start);
    tok.text = std::string_view(text).substr(start, pos - start);
    return tok;
  }
  ++pos;
  unsigned char uc = static_cast<unsigned char>(c);
  if (uc < 0x20 || uc >= 0x7f)
    return makeError(start, start,
                     fmt::format("unexpected byte 0x{:02X}", uc));
  return makeError(start, start, fmt::format("unexpected character '{}'", c));
}

bool Lexer::lexName(Token &tok, size_t start) {
  if (pos < text.size() && text[pos] == '"') {
    Token str = lexString(pos);
    if (str.kind != TokenKind::String)
      return false;
    tok.text = str.text;
    return true;
  }
  size_t nameStart = pos;
  while (pos < text.size() && isNameChar(text[pos]))
    ++pos;
  if (pos == nameStart)
    return false;
  tok.text = std::string_view(text).substr(nameStart, pos - nameStart);
  (void)start;
  return true;
}

Token Lexer::lexNumber(size_t start) {
  if (text[pos] == '-') {
    ++pos;
    if (text.compare(pos, 3, "inf") == 0 &&
        (pos + 3 >= text.size() || !isIdentChar(text[pos + 3]))) {
      pos += 3;
      Token tok = makeToken(TokenKind::Float, start);
      tok.floatValue = -std::numeric_limits<double>::infinity();
      return tok;
    }
    if (pos >= text.size() || !isDigit(text[pos]))
      return makeError(start, start, "expected a digit after '-'");
  }
  bool isFloat = false;
  while (pos < text.size() && isDigit(text[pos]))
    ++pos;
  if (pos < text.size() && text[pos] == '.') {
    isFloat = true;
    ++pos;
    while (pos < text.size() && isDigit(text[pos]))
      ++pos;
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    isFloat = true;
    ++pos;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-'))
      ++pos;
    size_t expDigits = pos;
    while (pos < text.size() && isDigit(text[pos]))
      ++pos;
    if (expDigits == pos)
      return makeError(start, pos, "expected exponent digits");
  }
  const char *first = text.data() + start;
  const char *last = text.data() + pos;
  if (isFloat) {
    Token tok = makeToken(TokenKind::Float, start);
    auto res = std::from_chars(first, last, tok.floatValue);
    if (res.ec == std::errc::result_out_of_range)
      return makeError(start, start, "float literal is out of range");
    if (res.ec != std::errc() || res.ptr != last)
      return makeError(start, start, "invalid float literal");
    return tok;
  }
  Token tok = makeToken(TokenKind::Integer, start);
  auto res = std::from_chars(first, last, tok.intValue);
  if (res.ec == std::errc::result_out_of_range)
    return makeError(start, start,
                     "integer literal does not fit in 64 bits");
  if (res.ec != std::errc() || res.ptr != last)
    return makeError(start, start, "invalid integer literal");
  return tok;
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

Token Lexer::lexString(size_t start) {
  // Fast path: a string without escapes or control characters is its own
  // spelling; anything else is decoded (and diagnosed) below.
  size_t end = start + 1;
  while (end < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[end]);
    if (c == '"' || c == '\\' || (c < 0x20 && c != '\t'))
      break;
    ++end;
  }
  if (end < text.size() && text[end] == '"') {
    pos = end + 1;
    Token tok = makeToken(TokenKind::String, start);
    tok.text = std::string_view(text).substr(start + 1, end - start - 1);
    return tok;
  }
  return lexEscapedString(start);
}

Token Lexer::lexEscapedString(size_t start) {
  pos = start + 1; // opening quote
  std::string &value = decoded;
  value.clear();
  while (true) {
    if (pos >= text.size() || text[pos] == '\n')
      return makeError(start, start, "unterminated string literal");
    char c = text[pos];
    if (c == '"') {
      ++pos;
      break;
    }
    if (c != '\\') {
      unsigned char uc = static_cast<unsigned char>(c);
      if (uc < 0x20 && c != '\t')
        return makeError(start, pos,
                         "control character in string literal; use an escape");
      value += c;
      ++pos;
      continue;
    }
    size_t escapePos = pos++;
    if (pos >= text.size())
      return makeError(start, escapePos, "unterminated string literal");
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
        return makeError(start, escapePos,
                         "expected two hex digits after '\\x'");
      value += static_cast<char>(hi * 16 + lo);
      pos += 2;
      break;
    }
    default:
      return makeError(start, escapePos,
                       "unknown escape sequence in string literal");
    }
  }
  Token tok = makeToken(TokenKind::String, start);
  tok.text = value;
  return tok;
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
