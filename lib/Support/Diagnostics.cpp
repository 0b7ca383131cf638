//===- Diagnostics.cpp - Source buffers and file:line:col diagnostics -----===//
//
// Resolves byte offsets to lines and columns and renders diagnostics in the
// LLVM/MLIR format: `file:line:col: error: message`, the source line, a caret.
//
//===----------------------------------------------------------------------===//

#include "mav/Support/Diagnostics.h"
#include "mav/Support/Text.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

using namespace mav;

SourceBuffer::SourceBuffer(std::string name, std::string text,
                           unsigned firstLine)
    : name(std::move(name)), text(std::move(text)), firstLine(firstLine) {
  lineStarts.push_back(0);
  const char *begin = this->text.data(), *end = begin + this->text.size();
  for (const char *p = begin;
       (p = static_cast<const char *>(std::memchr(p, '\n', end - p))); ++p)
    lineStarts.push_back(static_cast<size_t>(p - begin) + 1);
}

std::pair<unsigned, unsigned>
SourceBuffer::getLineAndColumn(size_t offset) const {
  offset = std::min(offset, text.size());
  auto it = std::upper_bound(lineStarts.begin(), lineStarts.end(), offset);
  size_t lineIndex = static_cast<size_t>(it - lineStarts.begin()) - 1;
  return {static_cast<unsigned>(lineIndex) + firstLine,
          static_cast<unsigned>(offset - lineStarts[lineIndex]) + 1};
}

std::string_view SourceBuffer::getLineText(size_t offset) const {
  offset = std::min(offset, text.size());
  auto it = std::upper_bound(lineStarts.begin(), lineStarts.end(), offset);
  size_t start = *(it - 1);
  size_t end = text.find('\n', start);
  if (end == std::string::npos)
    end = text.size();
  if (end > start && text[end - 1] == '\r')
    --end;
  return std::string_view(text).substr(start, end - start);
}

Diagnostic mav::makeDiagnostic(Severity severity, SourceLoc loc,
                               std::string message) {
  Diagnostic diag;
  diag.severity = severity;
  diag.message = std::move(message);
  if (loc.isKnown()) {
    diag.file = loc.buffer->getName();
    auto [line, column] = loc.buffer->getLineAndColumn(loc.offset);
    diag.line = line;
    diag.column = column;
    diag.sourceLine = std::string(loc.buffer->getLineText(loc.offset));
  }
  return diag;
}

Diagnostic &Diagnostic::attachNote(SourceLoc loc, std::string message) {
  notes.push_back(makeDiagnostic(Severity::Note, loc, std::move(message)));
  return *this;
}

std::string mav::escapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = text[i];
    size_t len = getUtf8SequenceLength(text, i);
    // C0 controls, DEL, C1 controls (U+0080..U+009F, which some terminals
    // read as escape sequences) and bytes that are not UTF-8 are escaped.
    bool isC1 =
        len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0;
    if (len == 0 || (c < 0x20 && c != '\t') || c == 0x7f || isC1) {
      for (size_t k = 0; k < std::max<size_t>(len, 1); ++k)
        out +=
            fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i + k]));
      i += std::max<size_t>(len, 1);
      continue;
    }
    out.append(text.data() + i, len);
    i += len;
  }
  return out;
}

static const char *getSeverityName(Severity severity) {
  switch (severity) {
  case Severity::Error:
    return "error";
  case Severity::Warning:
    return "warning";
  case Severity::Note:
    return "note";
  case Severity::Remark:
    return "remark";
  }
  return "error";
}

/// Very long lines (a 10 MB single-line file) are shown as a window around
/// the column so that a diagnostic stays readable.
static constexpr size_t kMaxShownLine = 160;

static void formatOne(const Diagnostic &diag, std::string &out) {
  if (!diag.file.empty())
    out += fmt::format("{}:{}:{}: ", escapeForTerminal(diag.file), diag.line,
                       diag.column);
  out += fmt::format("{}: {}\n", getSeverityName(diag.severity),
                     escapeForTerminal(diag.message));
  if (diag.file.empty())
    return;
  std::string_view line = diag.sourceLine;
  size_t caretByte = diag.column ? diag.column - 1 : 0;
  std::string prefix;
  if (line.size() > kMaxShownLine) {
    size_t start =
        caretByte > kMaxShownLine / 2 ? caretByte - kMaxShownLine / 2 : 0;
    start = std::min(start, line.size());
    line = line.substr(start, kMaxShownLine);
    caretByte -= std::min(caretByte, start);
    if (start)
      prefix = "...";
  }
  std::string shown = prefix + escapeForTerminal(line);
  // The caret goes under the displayed character: pad with the escaped
  // text before it, one space per character (tabs kept as tabs).
  std::string pad = std::string(prefix.size(), ' ');
  for (char c : escapeForTerminal(line.substr(0, caretByte))) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80)
      continue;
    pad += c == '\t' ? '\t' : ' ';
  }
  out += shown;
  out += '\n';
  out += pad;
  out += "^\n";
}

std::string mav::formatDiagnostic(const Diagnostic &diag) {
  std::string out;
  formatOne(diag, out);
  for (const Diagnostic &note : diag.notes)
    formatOne(note, out);
  return out;
}

DiagnosticEngine::DiagnosticEngine() {
  handler = [](const Diagnostic &diag) {
    std::string text = formatDiagnostic(diag);
    std::fwrite(text.data(), 1, text.size(), stderr);
  };
}

DiagnosticEngine::Handler DiagnosticEngine::setHandler(Handler newHandler) {
  std::swap(handler, newHandler);
  return newHandler;
}

void DiagnosticEngine::emit(Diagnostic diag) {
  if (diag.severity == Severity::Error)
    ++numErrors;
  handler(diag);
}

void DiagnosticEngine::error(SourceLoc loc, std::string message) {
  emit(makeDiagnostic(Severity::Error, loc, std::move(message)));
}

void DiagnosticEngine::warning(SourceLoc loc, std::string message) {
  emit(makeDiagnostic(Severity::Warning, loc, std::move(message)));
}
