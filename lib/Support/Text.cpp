//===- Text.cpp - UTF-8 and small text helpers ----------------------------===//

#include "mav/Support/Text.h"

#include <cstdint>
#include <cstring>

using namespace mav;

size_t mav::getUtf8SequenceLength(std::string_view s, size_t i) {
  unsigned char c = s[i];
  size_t len;
  uint32_t cp;
  if (c < 0x80)
    return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size())
    return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Reject overlong forms, surrogates and out-of-range code points.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
      (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

std::optional<size_t> mav::findInvalidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    // ASCII, the usual case, eight bytes at a time.
    while (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof(word));
      if (word & 0x8080808080808080ull)
        break;
      i += 8;
    }
    if (i >= text.size())
      break;
    size_t len = getUtf8SequenceLength(text, i);
    if (len == 0)
      return i;
    i += len;
  }
  return std::nullopt;
}

std::vector<std::string_view> mav::splitString(std::string_view text,
                                               std::string_view separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (true) {
    size_t pos = text.find(separator, start);
    if (pos == std::string_view::npos) {
      pieces.push_back(text.substr(start));
      return pieces;
    }
    pieces.push_back(text.substr(start, pos - start));
    start = pos + separator.size();
  }
}
