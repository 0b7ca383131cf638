//===- RenderMain.cpp - The mav-render driver -----------------------------===//
//
// Command line, input, default passes, backend selection and atomic output.
// The backend flags (`--plotly-json`, `--widget`, `--html`) and their options
// (`--no-table`, `--levels-shown=10`...) are generated from the backend
// registry; option values are validated with the pass option parser, and an
// option the chosen backend does not take is an error rather than ignored.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/RenderMain.h"

#include "mav/IR/ModelAttributes.h"
#include "mav/IR/Parser.h"
#include "mav/IR/Verifier.h"
#include "mav/Pass/PassManager.h"
#include "mav/Support/Debug.h"
#include "mav/Support/FileUtils.h"

#include <cstdio>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

using namespace mav;

static void writeStderr(const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
}

static bool anyNodeHas(const Graph &graph,
                       std::initializer_list<std::string_view> keys) {
  for (const Node &node : graph.getNodes())
    for (std::string_view key : keys)
      if (node.attrs.contains(key))
        return true;
  return false;
}

LogicalResult mav::runDefaultPasses(Graph &graph, const PassRegistry &passes,
                                    DiagnosticEngine &diags) {
  struct Need {
    const char *pass;
    const char *what;
    bool missing;
  };
  bool hasCosts = anyNodeHas(graph, {attrs::kCostParams, attrs::kCostFlops}) ||
                  graph.getAttrs().contains(attrs::kCostTotalParams);
  Need needs[] = {
      {"cost", "costs (cost.params, cost.flops)", !hasCosts},
      {"layout", "positions (layout.x, layout.y)",
       !anyNodeHas(graph, {attrs::kLayoutX, attrs::kLayoutY})},
      {"color", "colours (color)", !anyNodeHas(graph, {attrs::kColor})},
  };
  PassManager pm(diags, PassManagerOptions(), writeStderr);
  for (const Need &need : needs) {
    if (!need.missing)
      continue;
    const PassInfo *info = passes.lookup(need.pass);
    if (!info) {
      diags.error(SourceLoc{},
                  fmt::format("the IR has no {} and the '{}' pass that "
                              "mav-render runs by default is not registered "
                              "in this build; run the pass with mav-opt "
                              "first",
                              need.what, need.pass));
      return failure();
    }
    PipelineElement element;
    setDefaultOptions(*info, element);
    pm.addPass(std::move(element));
  }
  return pm.run(graph);
}

int mav::renderMain(int argc, char **argv, const PassRegistry &passes,
                    const BackendRegistry &backends) {
  std::string inputFile = "-", outputFile = "-";
  bool listBackends = false, noDefaultPasses = false, debug = false;
  std::vector<std::string> debugOnly;
  CLI::App app("mav-render: draw model-graph IR (.mav) as a Plotly figure, "
               "widget spec or HTML page",
               "mav-render");
  app.get_formatter()->column_width(34);
  app.add_option("input", inputFile, "Input IR file ('-' for stdin)")
      ->capture_default_str();
  app.add_option("-o", outputFile, "Output file ('-' for stdout)")
      ->capture_default_str();
  app.add_flag("--list-backends", listBackends,
               "List the backends and their options and exit");
  app.add_flag("--no-default-passes", noDefaultPasses,
               "Do not run cost/layout/color when the IR lacks their "
               "attributes");
  app.add_flag("--debug", debug,
               "Print the debug output of every pass to stderr");
  app.add_option("--debug-only", debugOnly,
                 "Print the debug output of the named passes to stderr, "
                 "e.g. layout,color")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("NAME");

  // One flag per backend, then the union of their options (an option name
  // shared by several backends has one flag).
  std::map<std::string, bool, std::less<>> chosen;
  for (const BackendInfo *info : backends.getBackends())
    app.add_flag("--" + info->name, chosen[info->name], info->summary)
        ->group("Backends (choose one)");
  std::map<std::string, std::string, std::less<>> optionText;
  std::map<std::string, bool, std::less<>> optionSet;
  std::map<std::string, CLI::Option *, std::less<>> optionFlags;
  for (const BackendInfo *info : backends.getBackends())
    for (const PassOptionInfo &option : info->options) {
      if (optionFlags.count(option.name))
        continue;
      std::string flag = "--" + option.name;
      std::string help = option.help;
      if (option.type != OptionType::Bool)
        help += " (default: " + option.defaultValue + ")";
      CLI::Option *cliOption =
          option.type == OptionType::Bool
              ? app.add_flag(flag, optionSet[option.name], help)
              : app.add_option(flag, optionText[option.name], help)
                    ->type_name(option.type == OptionType::Enum
                                    ? "NAME"
                                    : describeOptionType(option));
      cliOption->group("Backend options");
      optionFlags[option.name] = cliOption;
    }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }
  setDebugTypes(debug, debugOnly);
  if (listBackends) {
    std::string text = printBackendListText(backends);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return 0;
  }

  DiagnosticEngine diags;
  const BackendInfo *backendInfo = nullptr;
  std::string choices;
  for (const auto &[name, isChosen] : chosen) {
    choices += (choices.empty() ? "--" : ", --") + name;
    if (!isChosen)
      continue;
    if (backendInfo) {
      diags.error(SourceLoc{}, fmt::format("choose one output format, not "
                                           "both --{} and --{}",
                                           backendInfo->name, name));
      return 1;
    }
    backendInfo = backends.lookup(name);
  }
  if (!backendInfo) {
    diags.error(SourceLoc{},
                fmt::format("choose an output format: {}", choices));
    return 1;
  }

  PassOptions options;
  setDefaultBackendOptions(*backendInfo, options);
  for (const auto &[name, cliOption] : optionFlags) {
    if (cliOption->count() == 0)
      continue;
    const PassOptionInfo *option = backendInfo->findOption(name);
    if (!option) {
      diags.error(SourceLoc{}, fmt::format("--{} is not an option of --{}",
                                           name, backendInfo->name));
      return 1;
    }
    OptionValue value;
    std::string message;
    std::string text =
        option->type == OptionType::Bool ? "true" : optionText[name];
    if (!parseOptionValue(*option, text, value, message)) {
      diags.error(SourceLoc{}, fmt::format("invalid value '{}' for --{}: {}",
                                           text, name, message));
      return 1;
    }
    options.set(name, std::move(value));
  }

  std::shared_ptr<SourceBuffer> input = readInputFile(inputFile, diags);
  if (!input)
    return 1;
  if (input->getText().empty() && inputFile == "-") {
    diags.error(SourceLoc{}, "no input on standard input (did an earlier "
                             "stage of the pipeline fail?)");
    return 1;
  }
  IRContext context;
  std::unique_ptr<Graph> graph = parseGraph(context, input, diags);
  if (!graph || failed(verify(*graph, diags)))
    return 1;
  if (!noDefaultPasses && failed(runDefaultPasses(*graph, passes, diags)))
    return 1;

  std::unique_ptr<Backend> backend = backendInfo->factory(options);
  std::string output;
  if (failed(backend->render(*graph, output, diags)))
    return 1;
  return succeeded(writeOutputFile(outputFile, output, diags)) ? 0 : 1;
}
