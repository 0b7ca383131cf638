//===- HtmlBackend.cpp - `mav-render --html` ------------------------------===//
//
// One standalone page: the front end of lib/Render/web/ (embedded at build
// time), the widget spec in a `<script type="application/json">` element,
// and plotly.js from a pinned CDN URL, or inlined with `--offline` so the
// page works with no network at all.
//
// Everything placed in the page is escaped for where it lands: the title as
// HTML text, the spec as JSON with `<`, `>`, `&`, U+2028/2029 as \u escapes
// (escapeJsonForScript), inlined scripts with `</script` and `<!--` broken
// up. The template is expanded in one pass, so text inserted for one
// placeholder is never scanned for another.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/Backend.h"
#include "mav/Render/Figure.h"
#include "mav/Render/WebAssets.h"

#include <map>

#include <fmt/format.h>

using namespace mav;

/// Makes script text safe inside an inline `<script>` element: `</script`
/// (any case) and `<!--` cannot end or confuse the element. Both only occur
/// in strings, regular expressions or comments of well-formed code, where
/// `<\/` and `<\!--` mean the same.
static std::string escapeInlineScript(std::string_view script) {
  std::string out;
  out.reserve(script.size());
  for (size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (c == '<' && i + 1 < script.size()) {
      if (script[i + 1] == '/' && i + 8 <= script.size()) {
        std::string word(script.substr(i + 2, 6));
        for (char &w : word)
          w = static_cast<char>(std::tolower(static_cast<unsigned char>(w)));
        if (word == "script") {
          out += "<\\/";
          ++i;
          continue;
        }
      }
      if (script.substr(i + 1, 3) == "!--") {
        out += "<\\!--";
        i += 3;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/// Replaces each `@NAME@` of `page` by `values[NAME]` in a single pass.
static std::string
expandTemplate(std::string_view page,
               const std::map<std::string, std::string, std::less<>> &values) {
  std::string out;
  size_t pos = 0;
  while (pos < page.size()) {
    size_t start = page.find('@', pos);
    if (start == std::string_view::npos)
      break;
    size_t end = page.find('@', start + 1);
    if (end == std::string_view::npos)
      break;
    auto it = values.find(page.substr(start + 1, end - start - 1));
    if (it == values.end()) {
      out += page.substr(pos, end - pos);
      pos = end;
      continue;
    }
    out += page.substr(pos, start - pos);
    out += it->second;
    pos = end + 1;
  }
  out += page.substr(pos);
  return out;
}

namespace {

class HtmlBackend : public Backend {
public:
  explicit HtmlBackend(const PassOptions &options) : options(options) {}

  LogicalResult render(const Graph &graph, std::string &output,
                       DiagnosticEngine &diags) override {
    bool offline = options.getBool("offline");
    if (offline && web::getPlotlyJs().empty()) {
      diags.error(SourceLoc{},
                  fmt::format("--offline needs plotly.js, but this mav-render "
                              "was built without it (looked for '{}'); run "
                              "`npm install` in the source tree and "
                              "re-configure, or set MAV_PLOTLY_JS",
                              web::getPlotlyJsPath()));
      return failure();
    }
    ViewOptions view;
    view.overview = view.slider = true;
    RenderModel model;
    if (failed(readViewOptions(options, view, diags)) ||
        failed(buildRenderModel(graph, model, diags)))
      return failure();

    std::string plotly =
        offline ? "<script>" + escapeInlineScript(web::getPlotlyJs()) +
                      "</script>"
                : fmt::format("<script src=\"{}\" charset=\"utf-8\"></script>",
                              kPlotlyCdnUrl);
    std::map<std::string, std::string, std::less<>> values = {
        {"MAV_TITLE", escapeHtml(model.title)},
        {"MAV_STYLE", std::string(web::getStyleSheet())},
        {"MAV_PLOTLY", std::move(plotly)},
        {"MAV_SPEC",
         escapeJsonForScript(dumpJson(buildWidgetSpec(model, view)))},
        {"MAV_APP", escapeInlineScript(web::getAppScript())},
    };
    output = expandTemplate(web::getPageTemplate(), values);
    return success();
  }

private:
  PassOptions options;
};

} // namespace

void mav::registerHtmlBackend(BackendRegistry &registry) {
  BackendInfo info;
  info.name = "html";
  info.summary = "A standalone interactive page: synchronised graph, "
                 "overview, slider, table, dropdown and search";
  info.options = getViewOptionInfos(/*interactive=*/true);
  info.options.push_back(
      {"offline", OptionType::Bool, "false",
       fmt::format("Inline plotly.js {} (~4.6 MB) instead of loading it from "
                   "the CDN",
                   kPlotlyJsVersion),
       {}});
  info.factory = [](const PassOptions &options) {
    return std::make_unique<HtmlBackend>(options);
  };
  registry.registerBackend(std::move(info));
}
