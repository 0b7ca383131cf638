//===- OptMain.cpp - The mav-opt driver -----------------------------------===//
//
// Command line, input splitting, the pass pipeline, diagnostics verification,
// round-trip checking, reports, and atomic output. Pass flags (`--merge=0.01`,
// `--layout`) are generated from the registry and run in command-line order;
// they are taken out of argv before CLI11 sees the rest, so that a flag may be
// repeated and order is kept.
//
//===----------------------------------------------------------------------===//

#include "mav/Tools/OptMain.h"

#include "mav/IR/Parser.h"
#include "mav/IR/Printer.h"
#include "mav/IR/Verifier.h"
#include "mav/Pass/PassManager.h"
#include "mav/Support/Debug.h"
#include "mav/Support/DiagnosticVerifier.h"
#include "mav/Support/FileUtils.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

using namespace mav;

namespace {

struct OptOptions {
  std::string inputFile = "-";
  std::string outputFile = "-";
  std::optional<std::string> passPipeline;
  std::optional<std::string> listPasses;
  bool printBeforeAll = false;
  bool printAfterAll = false;
  bool printAfterFailure = false;
  std::vector<std::string> printBefore;
  std::vector<std::string> printAfter;
  bool statistics = false;
  bool timing = false;
  bool verifyEach = true;
  bool verifyRoundtrip = false;
  bool splitInputFile = false;
  bool verifyDiagnostics = false;
  bool stripDebugInfo = false;
  bool debug = false;
  std::vector<std::string> debugOnly;
};

/// A pass flag found on the command line, in order.
struct PassFlag {
  const PassInfo *info;
  std::optional<std::string> value;
};

class Timer {
public:
  explicit Timer(std::vector<TimingEntry> &entries, std::string name)
      : entries(entries), name(std::move(name)),
        start(std::chrono::steady_clock::now()) {}
  ~Timer() {
    entries.push_back({name, std::chrono::duration<double>(
                                 std::chrono::steady_clock::now() - start)
                                 .count()});
  }

private:
  std::vector<TimingEntry> &entries;
  std::string name;
  std::chrono::steady_clock::time_point start;
};

void writeStderr(const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
}

/// Re-prints the graph, parses the text and prints it again; the two texts
/// must be identical.
LogicalResult verifyRoundtrip(const Graph &graph, const PrintOptions &print,
                              DiagnosticEngine &diags) {
  std::string first = printGraphToString(graph, print);
  auto buffer = std::make_shared<SourceBuffer>("<roundtrip>", first);
  IRContext context;
  std::unique_ptr<Graph> reparsed = parseGraph(context, buffer, diags);
  if (!reparsed) {
    diags.error(SourceLoc{}, "round-trip failed: the printed IR does not "
                             "parse (errors above point into it)");
    return failure();
  }
  std::string second = printGraphToString(*reparsed, print);
  if (first == second)
    return success();
  size_t line = 1, i = 0;
  for (; i < first.size() && i < second.size() && first[i] == second[i]; ++i)
    line += first[i] == '\n';
  diags.error(SourceLoc{},
              fmt::format("round-trip failed: printing the re-parsed IR "
                          "gives different text from line {} on",
                          line));
  return failure();
}

class OptDriver {
public:
  OptDriver(const OptOptions &options, const PassRegistry &registry,
            std::vector<PipelineElement> pipeline)
      : options(options), registry(registry), pipeline(std::move(pipeline)) {}

  int run();

private:
  /// Processes one chunk; appends its IR to `output` on success.
  LogicalResult processChunk(std::shared_ptr<SourceBuffer> chunk,
                             DiagnosticEngine &diags, std::string &output);

  const OptOptions &options;
  const PassRegistry &registry;
  std::vector<PipelineElement> pipeline;
  std::vector<PassRunRecord> records;
  std::vector<TimingEntry> timings;
};

} // namespace

LogicalResult OptDriver::processChunk(std::shared_ptr<SourceBuffer> chunk,
                                      DiagnosticEngine &diags,
                                      std::string &output) {
  // One context per graph: a split input's graphs are freed one by one.
  IRContext context;
  std::unique_ptr<Graph> graph;
  {
    Timer timer(timings, "Parse");
    graph = parseGraph(context, chunk, diags);
  }
  if (!graph)
    return failure();
  {
    Timer timer(timings, "Verify");
    if (failed(verify(*graph, diags)))
      return failure();
  }
  if (options.stripDebugInfo)
    for (Node &node : graph->getNodes())
      node.loc = Location();

  PassManagerOptions pmOptions;
  pmOptions.verifyEach = options.verifyEach;
  pmOptions.printBeforeAll = options.printBeforeAll;
  pmOptions.printAfterAll = options.printAfterAll;
  pmOptions.printAfterFailure = options.printAfterFailure;
  pmOptions.printBefore.insert(options.printBefore.begin(),
                               options.printBefore.end());
  pmOptions.printAfter.insert(options.printAfter.begin(),
                              options.printAfter.end());
  PassManager pm(diags, pmOptions, writeStderr);
  for (const PipelineElement &element : pipeline)
    pm.addPass(element);
  LogicalResult result = pm.run(*graph);
  for (const PassRunRecord &record : pm.getRecords())
    timings.push_back({record.pipeline, record.seconds});
  records.insert(records.end(), pm.getRecords().begin(), pm.getRecords().end());
  if (failed(result))
    return failure();

  if (options.verifyRoundtrip && failed(verifyRoundtrip(*graph, {}, diags)))
    return failure();
  Timer timer(timings, "Output");
  // The output is about as long as the input plus what the passes added
  // (~200 bytes a node for the whole pipeline): reserving once saves copying
  // it while it grows. Pages reserved but not written cost no memory.
  output.reserve(chunk->getText().size() + chunk->getText().size() / 2 +
                 graph->size() * 256);
  printGraph(*graph, output);
  return success();
}

int OptDriver::run() {
  DiagnosticEngine diags;
  std::shared_ptr<SourceBuffer> input = readInputFile(options.inputFile, diags);
  if (!input)
    return 1;
  if (input->getText().empty() && options.inputFile == "-") {
    diags.error(SourceLoc{}, "no input on standard input (did an earlier "
                             "stage of the pipeline fail?)");
    return 1;
  }

  std::vector<std::shared_ptr<SourceBuffer>> chunks;
  if (options.splitInputFile)
    chunks = splitInputBuffer(*input);
  else
    chunks.push_back(input);

  // The output is collected and written once, atomically, so that a
  // failure in any chunk leaves no output.
  bool ok = true;
  std::string output;
  for (size_t i = 0; i < chunks.size(); ++i) {
    std::string chunkOutput;
    if (options.verifyDiagnostics) {
      DiagnosticVerifier verifier(*chunks[i]);
      DiagnosticEngine chunkDiags;
      chunkDiags.setHandler(
          [&](const Diagnostic &diag) { verifier.handle(diag); });
      (void)processChunk(chunks[i], chunkDiags, chunkOutput);
      ok &= succeeded(verifier.finish(diags));
    } else {
      ok &= succeeded(processChunk(chunks[i], diags, chunkOutput));
    }
    if (i)
      output += std::string(kSplitMarker) + "\n";
    if (output.empty())
      output = std::move(chunkOutput);
    else
      output += chunkOutput;
  }

  if (options.statistics)
    writeStderr(printStatisticsReport(records, registry));
  if (options.timing)
    writeStderr(printTimingReport(timings));
  if (!ok)
    return 1;
  return succeeded(writeOutputFile(options.outputFile, output, diags)) ? 0 : 1;
}

/// Takes `--NAME` and `--NAME=VALUE` for registered passes out of argv.
static std::vector<PassFlag> extractPassFlags(std::vector<std::string> &args,
                                              const PassRegistry &registry) {
  std::vector<PassFlag> flags;
  std::vector<std::string> rest;
  bool afterDoubleDash = false;
  for (std::string &arg : args) {
    if (arg == "--")
      afterDoubleDash = true;
    if (!afterDoubleDash && arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      size_t eq = arg.find('=');
      std::string name = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
      if (const PassInfo *info = registry.lookup(name)) {
        std::optional<std::string> value;
        if (eq != std::string::npos)
          value = arg.substr(eq + 1);
        flags.push_back({info, value});
        continue;
      }
    }
    rest.push_back(std::move(arg));
  }
  args = std::move(rest);
  return flags;
}

/// Builds pipeline elements from pass flags; reports bad values.
static LogicalResult
buildPipelineFromFlags(const std::vector<PassFlag> &flags,
                       std::vector<PipelineElement> &pipeline,
                       DiagnosticEngine &diags) {
  for (const PassFlag &flag : flags) {
    PipelineElement element;
    setDefaultOptions(*flag.info, element);
    if (flag.value) {
      if (flag.info->mainOption.empty()) {
        diags.error(SourceLoc{},
                    fmt::format("--{} takes no value; use --pass-pipeline="
                                "'{}{{...}}' to set options",
                                flag.info->name, flag.info->name));
        return failure();
      }
      const PassOptionInfo &option =
          *flag.info->findOption(flag.info->mainOption);
      OptionValue value;
      std::string message;
      if (!parseOptionValue(option, *flag.value, value, message)) {
        diags.error(SourceLoc{},
                    fmt::format("invalid value '{}' for --{} (option '{}'): {}",
                                *flag.value, flag.info->name, option.name,
                                message));
        return failure();
      }
      element.options.set(option.name, std::move(value));
      element.givenOptions.push_back(option.name);
    }
    pipeline.push_back(std::move(element));
  }
  return success();
}

int mav::optMain(int argc, char **argv, const PassRegistry &registry) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<PassFlag> passFlags = extractPassFlags(args, registry);

  OptOptions options;
  CLI::App app("mav-opt: run passes on model-graph IR (.mav)", "mav-opt");
  app.get_formatter()->column_width(34);
  app.add_option("input", options.inputFile, "Input IR file ('-' for stdin)")
      ->capture_default_str();
  app.add_option("-o", options.outputFile, "Output file ('-' for stdout)")
      ->capture_default_str();
  app.add_option("--pass-pipeline", options.passPipeline,
                 "Passes to run, e.g. 'cost,merge{threshold=0.01}'");
  app.add_option("--list-passes", options.listPasses,
                 "List the passes and exit (=markdown for docs/Passes.md)")
      ->expected(0, 1);
  app.add_flag("--print-ir-before-all", options.printBeforeAll,
               "Print the IR to stderr before every pass");
  app.add_flag("--print-ir-after-all", options.printAfterAll,
               "Print the IR to stderr after every pass");
  app.add_option("--print-ir-before", options.printBefore,
                 "Print the IR to stderr before the named passes")
      ->delimiter(',');
  app.add_option("--print-ir-after", options.printAfter,
                 "Print the IR to stderr after the named passes")
      ->delimiter(',');
  app.add_flag("--print-ir-after-failure", options.printAfterFailure,
               "Print the IR to stderr after a pass that fails or breaks it");
  app.add_flag("--pass-statistics", options.statistics,
               "Print the statistics of each pass to stderr");
  app.add_flag("--timing", options.timing,
               "Print the wall time of each stage to stderr");
  app.add_option("--verify-each", options.verifyEach,
                 "Run the verifier after each pass")
      ->capture_default_str();
  app.add_flag("--verify-roundtrip", options.verifyRoundtrip,
               "Check that the output re-parses to identical text");
  app.add_flag("--split-input-file", options.splitInputFile,
               "Process each '// -----' chunk of the input separately");
  app.add_flag("--verify-diagnostics", options.verifyDiagnostics,
               "Check diagnostics against expected-error annotations");
  app.add_flag("--strip-debuginfo", options.stripDebugInfo,
               "Drop node locations (loc(...)) from the output");
  app.add_flag("--debug", options.debug,
               "Print the debug output of every pass to stderr");
  app.add_option("--debug-only", options.debugOnly,
                 "Print the debug output of the named passes to stderr, "
                 "e.g. layout,merge")
      ->delimiter(',')
      ->allow_extra_args(false)
      ->type_name("NAME");
  // Pass flags are parsed by extractPassFlags; they are declared here so
  // that --help lists them. Test passes stay out of the help.
  std::vector<std::string> unusedFlagValues(registry.getPasses(true).size());
  size_t flagIndex = 0;
  for (const PassInfo *info : registry.getPasses(true)) {
    std::string flag = "--" + info->name;
    CLI::Option *opt =
        app.add_option(flag, unusedFlagValues[flagIndex++], info->summary);
    opt->expected(0, 1);
    // `--merge[=threshold]`: the value is optional and attached with '='.
    opt->type_name(info->mainOption.empty()
                       ? std::string()
                       : fmt::format("[={}]", info->mainOption));
    opt->group(info->isTestPass ? "" : "Passes (run in the order given)");
  }

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 1;
  }

  setDebugTypes(options.debug, options.debugOnly);

  if (options.listPasses) {
    if (options.listPasses->empty() || *options.listPasses == "text") {
      std::string text = printPassListText(registry);
      std::fwrite(text.data(), 1, text.size(), stdout);
      return 0;
    }
    if (*options.listPasses == "markdown") {
      std::string text = printPassListMarkdown(registry);
      std::fwrite(text.data(), 1, text.size(), stdout);
      return 0;
    }
    std::fprintf(stderr,
                 "error: --list-passes takes 'text' or 'markdown', "
                 "not '%s'\n",
                 escapeForTerminal(*options.listPasses).c_str());
    return 1;
  }

  DiagnosticEngine diags;
  for (const std::string &name : options.printBefore)
    if (!registry.lookup(name)) {
      diags.error(SourceLoc{}, fmt::format("--print-ir-before: unknown pass "
                                           "'{}'",
                                           name));
      return 1;
    }
  for (const std::string &name : options.printAfter)
    if (!registry.lookup(name)) {
      diags.error(SourceLoc{}, fmt::format("--print-ir-after: unknown pass "
                                           "'{}'",
                                           name));
      return 1;
    }

  std::vector<PipelineElement> pipeline;
  if (options.passPipeline && !passFlags.empty()) {
    diags.error(SourceLoc{}, "give passes either as flags or with "
                             "--pass-pipeline, not both");
    return 1;
  }
  if (options.passPipeline) {
    if (failed(parsePassPipeline(*options.passPipeline, registry, pipeline,
                                 diags)))
      return 1;
  } else if (failed(buildPipelineFromFlags(passFlags, pipeline, diags))) {
    return 1;
  }
  return OptDriver(options, registry, std::move(pipeline)).run();
}
