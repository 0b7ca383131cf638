//===- DiagnosticVerifier.cpp - Check expected-error annotations ----------===//

#include "mav/Support/DiagnosticVerifier.h"

#include <charconv>

#include <fmt/format.h>

using namespace mav;

DiagnosticVerifier::DiagnosticVerifier(const SourceBuffer &buffer)
    : buffer(buffer) {
  const std::string &text = buffer.getText();
  static constexpr std::string_view kPrefix = "expected-";
  size_t pos = 0;
  while ((pos = text.find(kPrefix, pos)) != std::string::npos) {
    size_t start = pos;
    pos += kPrefix.size();
    // Only annotations inside `//` comments count.
    size_t lineStart = text.rfind('\n', start);
    lineStart = lineStart == std::string::npos ? 0 : lineStart + 1;
    size_t comment = text.find("//", lineStart);
    if (comment == std::string::npos || comment > start)
      continue;
    Severity severity;
    std::string_view rest(text.data() + pos, text.size() - pos);
    if (rest.substr(0, 5) == "error") {
      severity = Severity::Error;
      pos += 5;
    } else if (rest.substr(0, 7) == "warning") {
      severity = Severity::Warning;
      pos += 7;
    } else if (rest.substr(0, 4) == "note") {
      severity = Severity::Note;
      pos += 4;
    } else if (rest.substr(0, 6) == "remark") {
      severity = Severity::Remark;
      pos += 6;
    } else {
      continue;
    }
    unsigned line = buffer.getLineAndColumn(start).first;
    if (pos < text.size() && text[pos] == '@') {
      ++pos;
      if (text.compare(pos, 7, "unknown") == 0) {
        line = 0;
        pos += 7;
      } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        bool plus = text[pos++] == '+';
        unsigned delta = 0;
        auto res = std::from_chars(text.data() + pos, text.data() + text.size(),
                                   delta);
        if (res.ec != std::errc() || (!plus && delta >= line)) {
          malformed.push_back(makeDiagnostic(
              Severity::Error, SourceLoc{&buffer, start},
              "malformed line offset in expected-diagnostic annotation"));
          continue;
        }
        pos = static_cast<size_t>(res.ptr - text.data());
        line = plus ? line + delta : line - delta;
      } else {
        malformed.push_back(makeDiagnostic(
            Severity::Error, SourceLoc{&buffer, start},
            "expected '@+N', '@-N' or '@unknown' in annotation"));
        continue;
      }
    }
    while (pos < text.size() && text[pos] == ' ')
      ++pos;
    size_t open = text.compare(pos, 2, "{{") == 0 ? pos : std::string::npos;
    size_t close = open == std::string::npos ? open : text.find("}}", open);
    size_t lineEnd = text.find('\n', start);
    if (close == std::string::npos || close > lineEnd) {
      malformed.push_back(makeDiagnostic(
          Severity::Error, SourceLoc{&buffer, start},
          "expected '{{message}}' after the expected-diagnostic annotation"));
      continue;
    }
    expectations.push_back(
        {severity, line, text.substr(open + 2, close - open - 2), start});
    pos = close + 2;
  }
}

void DiagnosticVerifier::handle(const Diagnostic &diag) {
  auto matchOne = [&](const Diagnostic &d) {
    bool located = !d.file.empty() && d.file == buffer.getName();
    unsigned line = located ? d.line : 0;
    if (!d.file.empty() && !located) {
      unexpected.push_back(d);
      return;
    }
    for (Expectation &e : expectations) {
      if (!e.matched && e.severity == d.severity && e.line == line &&
          d.message.find(e.text) != std::string::npos) {
        e.matched = true;
        return;
      }
    }
    unexpected.push_back(d);
  };
  Diagnostic withoutNotes = diag;
  withoutNotes.notes.clear();
  matchOne(withoutNotes);
  for (const Diagnostic &note : diag.notes)
    matchOne(note);
}

LogicalResult DiagnosticVerifier::finish(DiagnosticEngine &diags) {
  bool ok = malformed.empty() && unexpected.empty();
  for (Diagnostic &d : malformed)
    diags.emit(std::move(d));
  static const char *names[] = {"error", "warning", "note", "remark"};
  for (Diagnostic &d : unexpected) {
    d.message = fmt::format("unexpected {}: {}",
                            names[static_cast<int>(d.severity)], d.message);
    d.severity = Severity::Error;
    d.notes.clear();
    diags.emit(std::move(d));
  }
  for (const Expectation &e : expectations) {
    if (e.matched)
      continue;
    ok = false;
    diags.error(SourceLoc{&buffer, e.offset},
                fmt::format("expected {} \"{}\" was not produced",
                            names[static_cast<int>(e.severity)], e.text));
  }
  return ok ? success() : failure();
}
