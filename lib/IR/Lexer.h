//===- Lexer.h - Tokens of the textual IR -----------------------*- C++ -*-===//
//
// Private to lib/IR. Splits a SourceBuffer into tokens; `//` comments and
// white space are skipped. Tokens remember whether they start a line so the
// parser can resynchronise on the next node after an error.
//
// Tokens are plain values that the parser keeps one of and the lexer
// overwrites in place (lex() fills only the fields its kind uses, and copies
// nothing it does not need to: this is the inner loop of every tool). Their
// text is a view, into the source buffer when the token is spelled there as
// is (identifiers, names, numbers, strings without escapes: nearly every
// token), else into the lexer's own storage, which the next token
// overwrites. A parser copies what it keeps.
//
// The lexer relies on the buffer's text being a std::string: the NUL that
// always follows its last byte stops every scanning loop without a bounds
// check (a NUL inside the text stops them too, and is then diagnosed as an
// unexpected byte).
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_IR_LEXER_H
#define MAV_LIB_IR_LEXER_H

#include "mav/Support/Diagnostics.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace mav::detail {

enum class TokenKind : uint8_t {
  Eof,
  Error,      // `text` holds the message
  ValueId,    // %name or %"name", optionally #N (resultIndex)
  GraphId,    // @name or @"name"
  Identifier, // bare words: keywords, dtypes, attribute keys
  String,     // decoded into `text`
  Integer,
  Float,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LSquare,
  RSquare,
  Less,
  Greater,
  Comma,
  Equal,
  Colon,
  Question,
  Star,
};

/// One token. Only the fields of its kind are meaningful: lex() leaves the
/// others as the previous token had them.
struct Token {
  TokenKind kind = TokenKind::Eof;
  bool startsLine = false;
  size_t offset = 0;
  size_t length = 0;
  /// Identifier, decoded string or name, or error message; valid until the
  /// next call of Lexer::lex() (see the file comment).
  std::string_view text;
  int64_t intValue = 0;
  double floatValue = 0;
  int64_t resultIndex = -1; // for ValueId: the #N suffix, -1 if absent
  size_t errorOffset = 0;   // for Error: where exactly the problem is
};

class Lexer {
public:
  explicit Lexer(const SourceBuffer &buffer);
  /// Lexes the next token into `tok`, overwriting it.
  void lex(Token &tok);
  /// Continues lexing at byte `offset`, which must be where a token ends
  /// (the parser skips text it has seen before, see Parser.cpp).
  void seek(size_t offset) {
    pos = offset;
    atLineStart = false;
  }
  const SourceBuffer &getBuffer() const { return buffer; }
  /// Whether `view` points into the source buffer (and so outlives the
  /// token), rather than into the lexer's storage.
  bool isInBuffer(std::string_view view) const {
    return view.data() >= text.data() &&
           view.data() + view.size() <= text.data() + text.size();
  }

private:
  /// Sets the fields every token has; the token ends at `pos`.
  void setToken(Token &tok, TokenKind kind, size_t start) {
    tok.kind = kind;
    tok.offset = start;
    tok.length = pos - start;
  }
  void setError(Token &tok, size_t start, size_t at, std::string message);
  void skipWhitespaceAndComments();
  void lexNumber(Token &tok, size_t start);
  void lexString(Token &tok, size_t start);
  /// Decodes a string literal with escapes into `decoded`.
  void lexEscapedString(Token &tok, size_t start);
  /// Lexes a bare name or quoted string after a sigil into `tok.text`.
  bool lexName(Token &tok);

  const SourceBuffer &buffer;
  const std::string &text;
  /// `text.data()`, NUL-terminated (see the file comment).
  const char *data;
  size_t pos = 0;
  bool atLineStart = true;
  /// Decoded strings with escapes, and error messages.
  std::string decoded, message;
};

/// Short description of a token kind for "expected X" messages.
const char *getTokenKindName(TokenKind kind);

} // namespace mav::detail

#endif // MAV_LIB_IR_LEXER_H
