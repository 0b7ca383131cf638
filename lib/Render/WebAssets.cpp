//===- WebAssets.cpp - Where the embedded plotly.js came from -------------===//
//
// The contents of the web assets are generated at build time
// (EmbedFiles.cmake); this file only records the configured plotly.js path
// for the error message of `--offline` when it was not found.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/WebAssets.h"

std::string_view mav::web::getPlotlyJsPath() { return MAV_PLOTLY_JS_PATH; }
