//===- Text.h - UTF-8 and small text helpers --------------------*- C++ -*-===//
//
// The IR is UTF-8 text; these helpers validate it and let printers escape
// bytes that are not part of a valid UTF-8 sequence. Also: splitting text.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_SUPPORT_TEXT_H
#define MAV_SUPPORT_TEXT_H

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace mav {

/// Length of the valid UTF-8 sequence starting at `text[pos]`, or 0 if the
/// bytes there are not valid UTF-8 (overlong forms and surrogates are
/// invalid).
size_t getUtf8SequenceLength(std::string_view text, size_t pos);

/// Offset of the first byte that is not valid UTF-8, if any.
std::optional<size_t> findInvalidUtf8(std::string_view text);

/// The pieces of `text` between occurrences of `separator` (non-empty),
/// empty pieces included: "a;;b;" gives "a", "", "b", "". The views point
/// into `text`.
std::vector<std::string_view> splitString(std::string_view text,
                                          std::string_view separator);

} // namespace mav

#endif // MAV_SUPPORT_TEXT_H
