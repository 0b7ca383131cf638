//===- ModelLoader.cpp - Loading TorchScript and making inputs ------------===//
//
// The boundary between mav and libtorch: every libtorch exception thrown while
// loading the model or building its inputs is caught here and turned into an
// `error:` diagnostic, so that traceModel never throws. Running the forward
// pass is Interpreter.cpp's job.
//
//===----------------------------------------------------------------------===//

#include "Interpreter.h"
#include "ValueConversion.h"
#include "WeightlessArchive.h"

#include "mav/IR/ModelAttributes.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cstdlib>
#include <dlfcn.h>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

using namespace mav;
using namespace mav::trace;

namespace {

void reportError(DiagnosticEngine &diags, std::string message) {
  diags.error(SourceLoc(), std::move(message));
}

/// The model's file name without directories and extensions: the graph name.
std::string getGraphName(const std::string &path) {
  std::string name = std::filesystem::path(path).filename().string();
  // `resnet18.script.pt` -> `resnet18`.
  size_t dot = name.find('.');
  if (dot != std::string::npos && dot > 0)
    name.resize(dot);
  return name.empty() ? std::string("model") : name;
}

/// The model with its tensors on the meta device, without reading their
/// data (WeightlessArchive), or nullopt when that fails: some models need
/// their weights' values while loading (a quantized module's __setstate__
/// packs them), and a broken file is left to the normal load to report.
std::optional<torch::jit::Module> loadModuleOnMeta(const std::string &path) {
  std::shared_ptr<WeightlessArchive> archive = WeightlessArchive::open(path);
  if (!archive)
    return std::nullopt;
  try {
    return torch::jit::load(archive, c10::Device(c10::kMeta));
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

/// Loads an operator library (a shared object registering ops with
/// libtorch's dispatcher) into the process, as torch.ops.load_library does.
bool loadOperatorLibrary(const std::string &path, DiagnosticEngine &diags) {
  if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL))
    return true;
  const char *why = dlerror();
  reportError(diags, fmt::format("cannot load operator library '{}': {}", path,
                                 why ? why : "unknown error"));
  return false;
}

/// Where torchvision's operator library (torchvision::nms, roi_align...) is:
/// $MAV_TORCHVISION_LIBRARY when set, else the `_C` extension of Debian's
/// python3-torchvision (or of a torchvision under /usr/local), which links
/// only against libtorch. Empty when there is none.
std::string findTorchvisionLibrary(std::vector<std::string> &searched) {
  if (const char *path = std::getenv("MAV_TORCHVISION_LIBRARY")) {
    searched.push_back(path);
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec) ? std::string(path)
                                                      : std::string();
  }
  for (const char *dir : {"/usr/lib/python3/dist-packages/torchvision",
                          "/usr/local/lib/python3/dist-packages/torchvision"}) {
    searched.push_back(dir);
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind("_C.", 0) == 0 && name.size() > 3 &&
          name.compare(name.size() - 3, 3, ".so") == 0)
        return entry.path().string();
    }
  }
  return {};
}

/// The first `ns::op` named in libtorch's "Unknown builtin op: ns::op"
/// message, or "" when the message is another one.
std::string getUnknownOp(const std::string &message) {
  static const std::string marker = "Unknown builtin op: ";
  size_t at = message.find(marker);
  if (at == std::string::npos)
    return {};
  size_t start = at + marker.size();
  size_t end = message.find_first_of(".\n ", start);
  return message.substr(start, end == std::string::npos ? std::string::npos
                                                        : end - start);
}

std::optional<torch::jit::Module> loadModule(const std::string &path,
                                             bool shapesOnly,
                                             DiagnosticEngine &diags,
                                             TraceSummary &summary) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    reportError(diags,
                fmt::format("cannot open model '{}': no such file", path));
    return std::nullopt;
  }
  if (std::filesystem::is_directory(path, ec)) {
    reportError(diags,
                fmt::format("cannot open model '{}': is a directory", path));
    return std::nullopt;
  }
  std::optional<torch::jit::Module> module;
  // A model calling torchvision's ops (detection models: torchvision::nms)
  // loads once torchvision's operator library is: found and loaded on the
  // first such failure, then the model is loaded again.
  static bool torchvisionLoaded = false;
  for (int attempt = 0; !module; ++attempt) {
    if (shapesOnly) {
      module = loadModuleOnMeta(path);
      summary.weightsSkipped = module.has_value();
    }
    try {
      if (!module)
        module = torch::jit::load(path, torch::kCPU);
    } catch (const std::exception &e) {
      std::string message = getTrimmedMessage(e);
      std::string op = getUnknownOp(e.what());
      if (attempt == 0 && !torchvisionLoaded &&
          op.rfind("torchvision::", 0) == 0) {
        std::vector<std::string> searched;
        std::string library = findTorchvisionLibrary(searched);
        if (library.empty()) {
          reportError(diags,
                      fmt::format("model '{}' uses {}, an op of torchvision's "
                                  "operator library, which mav-trace did not "
                                  "find (looked in {}); install "
                                  "python3-torchvision, or pass "
                                  "--load-library PATH",
                                  path, op, fmt::join(searched, ", ")));
          return std::nullopt;
        }
        if (!loadOperatorLibrary(library, diags))
          return std::nullopt;
        torchvisionLoaded = true;
        continue;
      }
      if (!op.empty() && op.rfind("aten::", 0) != 0 &&
          op.rfind("prim::", 0) != 0) {
        reportError(diags,
                    fmt::format("model '{}' uses {}, an op no loaded library "
                                "registers; pass the library that defines it "
                                "with --load-library PATH",
                                path, op));
        return std::nullopt;
      }
      reportError(diags,
                  fmt::format("cannot load '{}' as TorchScript (expected the "
                              "output of torch.jit.script or torch.jit.trace "
                              "saved with torch.jit.save): {}",
                              path, message));
      return std::nullopt;
    }
  }
  if (!module->find_method("forward")) {
    reportError(diags, fmt::format("model '{}' has no forward method", path));
    return std::nullopt;
  }
  return module;
}

/// One random tensor for `spec`, drawn from `generator`.
at::Tensor makeRandomTensor(const InputSpec &spec, at::Generator &generator) {
  c10::ScalarType type = *convertDType(spec.dtype);
  auto options = at::TensorOptions().dtype(type);
  if (at::isIntegralType(type, /*includeBool=*/true)) {
    int64_t low = spec.low ? static_cast<int64_t>(*spec.low) : 0;
    int64_t high = spec.high ? static_cast<int64_t>(*spec.high)
                             : (type == at::kBool ? 2 : 10);
    return at::randint(low, high, spec.dims, generator,
                       options.dtype(at::kLong))
        .to(type);
  }
  // Half and bfloat16 sampling is not implemented on CPU for every
  // distribution: sample in float or double and convert.
  c10::ScalarType sampleType = at::isComplexType(type) ? type
                               : type == at::kDouble   ? at::kDouble
                                                       : at::kFloat;
  if (spec.low) {
    at::Tensor unit = at::rand(spec.dims, generator, options.dtype(sampleType));
    return (unit * (*spec.high - *spec.low) + *spec.low).to(type);
  }
  return at::randn(spec.dims, generator, options.dtype(sampleType)).to(type);
}

/// Why `spec` cannot be an argument of `type` (the tail of the error
/// message), or "" when it can: a tensor spec for a tensor argument, a list
/// spec for a List[Tensor], a tuple spec for a tuple of as many tensors.
std::string checkInputKind(const c10::Type &type, const InputSpec &spec) {
  auto isTensor = [](const c10::Type &t) {
    return c10::TensorType::get()->isSubtypeOf(t) ||
           t.isSubtypeOf(*c10::TensorType::get());
  };
  switch (spec.kind) {
  case InputSpec::Kind::Tensor:
    if (isTensor(type))
      return "";
    if (type.kind() == c10::TypeKind::ListType)
      return "not a tensor: give a list of tensors, e.g. --input "
             "'[3x320x320,3x240x320]'";
    if (type.kind() == c10::TypeKind::TupleType)
      return "not a tensor: give a tuple of tensors, e.g. --input "
             "'(2x8,2x4)'";
    return "not a tensor";
  case InputSpec::Kind::List:
    if (type.kind() == c10::TypeKind::ListType &&
        isTensor(*type.containedTypes()[0]))
      return "";
    return "not a list of tensors";
  case InputSpec::Kind::Tuple:
    if (type.kind() != c10::TypeKind::TupleType)
      return "not a tuple of tensors";
    if (type.containedTypes().size() != spec.elements.size())
      return fmt::format("a tuple of {} elements, not {}",
                         type.containedTypes().size(), spec.elements.size());
    for (const c10::TypePtr &element : type.containedTypes())
      if (!isTensor(*element))
        return "not a tuple of tensors";
    return "";
  }
  return "";
}

/// The forward arguments: random tensors for the `--input`s, default values
/// for the arguments after them.
std::optional<std::vector<c10::IValue>> makeInputs(torch::jit::Module &module,
                                                   const std::string &path,
                                                   const TraceOptions &options,
                                                   DiagnosticEngine &diags) {
  const c10::FunctionSchema &schema =
      module.get_method("forward").function().getSchema();
  // Argument 0 is `self`.
  std::vector<const c10::Argument *> arguments;
  for (size_t i = 1; i < schema.arguments().size(); ++i)
    arguments.push_back(&schema.arguments()[i]);

  std::vector<std::string> names;
  size_t required = 0;
  for (const c10::Argument *argument : arguments) {
    names.push_back(argument->name());
    if (!argument->default_value())
      required = names.size();
  }
  if (options.inputs.size() < required ||
      options.inputs.size() > arguments.size()) {
    std::string expected =
        required == arguments.size()
            ? fmt::format("{}", required)
            : fmt::format("{} to {}", required, arguments.size());
    reportError(diags,
                fmt::format("forward of '{}' takes {} input(s) ({}), but {} "
                            "--input given",
                            path, expected, fmt::join(names, ", "),
                            options.inputs.size()));
    return std::nullopt;
  }

  at::Generator generator =
      at::make_generator<at::CPUGeneratorImpl>(options.seed);
  std::vector<c10::IValue> inputs;
  for (size_t i = 0; i < arguments.size(); ++i) {
    const c10::Argument &argument = *arguments[i];
    if (i >= options.inputs.size()) {
      inputs.push_back(*argument.default_value());
      continue;
    }
    const InputSpec &spec = options.inputs[i];
    std::string mismatch = checkInputKind(*argument.type(), spec);
    if (!mismatch.empty()) {
      reportError(diags,
                  fmt::format("input {} of '{}' ('{}') is a {}, {}", i + 1,
                              path, argument.name(),
                              argument.type()->annotation_str(), mismatch));
      return std::nullopt;
    }
    auto makeTensor = [&](const InputSpec &tensorSpec) {
      // No values with shapesOnly: a meta tensor has a shape and a dtype
      // but no storage, so the input costs nothing whatever its resolution.
      if (options.shapesOnly)
        return at::empty(tensorSpec.dims,
                         at::TensorOptions()
                             .dtype(*convertDType(tensorSpec.dtype))
                             .device(at::kMeta));
      return makeRandomTensor(tensorSpec, generator);
    };
    if (spec.kind == InputSpec::Kind::List) {
      c10::List<at::Tensor> list;
      for (const InputSpec &element : spec.elements)
        list.push_back(makeTensor(element));
      inputs.emplace_back(std::move(list));
    } else if (spec.kind == InputSpec::Kind::Tuple) {
      std::vector<c10::IValue> elements;
      for (const InputSpec &element : spec.elements)
        elements.emplace_back(makeTensor(element));
      inputs.emplace_back(c10::ivalue::Tuple::create(std::move(elements)));
    } else {
      inputs.emplace_back(makeTensor(spec));
    }
  }
  return inputs;
}

} // namespace

std::optional<Graph> mav::traceModel(IRContext &ctx,
                                     const std::string &modelPath,
                                     const TraceOptions &options,
                                     DiagnosticEngine &diags,
                                     TraceSummary *summary) {
  TraceSummary localSummary;
  if (!summary)
    summary = &localSummary;
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point since) {
    return std::chrono::duration<double>(Clock::now() - since).count();
  };
  for (const std::string &library : options.libraries)
    if (!loadOperatorLibrary(library, diags))
      return std::nullopt;
  try {
    Clock::time_point start = Clock::now();
    std::optional<torch::jit::Module> module =
        loadModule(modelPath, options.shapesOnly, diags, *summary);
    if (!module)
      return std::nullopt;
    module->eval();
    std::optional<std::vector<c10::IValue>> inputs =
        makeInputs(*module, modelPath, options, diags);
    if (!inputs)
      return std::nullopt;
    summary->loadSeconds = seconds(start);
    for (unsigned i = 0; i < options.warmUpRuns; ++i) {
      // Runs on inputs of their own (the forward may modify its inputs in
      // place), their diagnostics and graphs discarded: the first pays
      // libtorch's lazy set-up (oneDNN primitives, allocator growth) so that
      // the timed run below is a warm one.
      start = Clock::now();
      std::optional<std::vector<c10::IValue>> warmUpInputs =
          makeInputs(*module, modelPath, options, diags);
      if (!warmUpInputs)
        return std::nullopt;
      TraceOptions warmUpOptions = options;
      warmUpOptions.progress = nullptr;
      DiagnosticEngine silent;
      silent.setHandler([](const Diagnostic &) {});
      TraceSummary warmUpSummary;
      // The warm-up's values go in a context of their own, freed with it.
      IRContext warmUpContext;
      interpretForward(*module, warmUpContext, std::move(*warmUpInputs),
                       getGraphName(modelPath), warmUpOptions, silent,
                       warmUpSummary);
      if (i == 0)
        summary->warmUpSeconds = seconds(start);
    }
    start = Clock::now();
    std::optional<Graph> graph =
        interpretForward(*module, ctx, std::move(*inputs),
                         getGraphName(modelPath), options, diags, *summary);
    summary->runSeconds = seconds(start);
    if (graph)
      graph->getAttrs().set(
          ctx, attrs::kSource,
          Attribute::string(
              ctx, std::filesystem::path(modelPath).filename().string()));
    return graph;
  } catch (const std::exception &e) {
    // Anything the interpreter did not attribute to an op (it catches those
    // itself) is a problem with the model as a whole.
    reportError(diags, fmt::format("cannot trace '{}': {}", modelPath,
                                   getTrimmedMessage(e)));
    return std::nullopt;
  }
}

std::optional<OpCheckResult>
mav::checkModelOps(const std::string &modelPath,
                   const std::vector<std::string> &libraries,
                   DiagnosticEngine &diags) {
  for (const std::string &library : libraries)
    if (!loadOperatorLibrary(library, diags))
      return std::nullopt;
  try {
    // Loaded as for a shapes-only run: the weights are not read.
    TraceSummary summary;
    std::optional<torch::jit::Module> module =
        loadModule(modelPath, /*shapesOnly=*/true, diags, summary);
    if (!module)
      return std::nullopt;
    return trace::checkModuleOps(*module);
  } catch (const std::exception &e) {
    reportError(diags, fmt::format("cannot check '{}': {}", modelPath,
                                   getTrimmedMessage(e)));
    return std::nullopt;
  }
}
