//===- WebAssets.h - Front-end files embedded at build time -----*- C++ -*-===//
//
// The HTML page's template, style sheet and JavaScript (lib/Render/web/) are
// compiled into mav-render by lib/Render/EmbedFiles.cmake, so the tool needs
// no files at run time. plotly.js (the partial bundle utils/plotly-bundle
// builds) is embedded the same way when it was found at configure time, for
// `--html --offline`.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_RENDER_WEBASSETS_H
#define MAV_RENDER_WEBASSETS_H

#include <string_view>

namespace mav::web {

/// lib/Render/web/page.html, app.css, and the page's script: the files of
/// lib/Render/web/app/ joined in the order lib/Render/CMakeLists.txt gives.
std::string_view getPageTemplate();
std::string_view getStyleSheet();
std::string_view getAppScript();

/// plotly.js for offline pages; empty when it was not found at
/// configure time (getPlotlyJsPath() says where it was looked for).
std::string_view getPlotlyJs();
std::string_view getPlotlyJsPath();

} // namespace mav::web

#endif // MAV_RENDER_WEBASSETS_H
