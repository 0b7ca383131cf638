//===- FileUtils.cpp - Reading inputs and writing outputs safely ----------===//

#include "mav/Support/FileUtils.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

using namespace mav;

static bool readAll(int fd, std::string &out) {
  char chunk[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n == 0)
      return true;
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    out.append(chunk, static_cast<size_t>(n));
  }
}

std::shared_ptr<SourceBuffer> mav::readInputFile(const std::string &path,
                                                 DiagnosticEngine &diags) {
  std::string text;
  if (path == "-") {
    if (!readAll(STDIN_FILENO, text)) {
      diags.error(SourceLoc{}, fmt::format("cannot read standard input: {}",
                                           std::strerror(errno)));
      return nullptr;
    }
    return std::make_shared<SourceBuffer>("<stdin>", std::move(text));
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diags.error(SourceLoc{}, fmt::format("cannot open '{}': {}", path,
                                         std::strerror(errno)));
    return nullptr;
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    diags.error(SourceLoc{}, fmt::format("cannot read '{}': it is a directory",
                                         path));
    return nullptr;
  }
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
    text.reserve(static_cast<size_t>(st.st_size));
  bool ok = readAll(fd, text);
  int savedErrno = errno;
  ::close(fd);
  if (!ok) {
    diags.error(SourceLoc{}, fmt::format("cannot read '{}': {}", path,
                                         std::strerror(savedErrno)));
    return nullptr;
  }
  return std::make_shared<SourceBuffer>(path, std::move(text));
}

static bool writeAll(int fd, const std::string &content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

LogicalResult mav::writeOutputFile(const std::string &path,
                                   const std::string &content,
                                   DiagnosticEngine &diags) {
  if (path == "-") {
    if (!writeAll(STDOUT_FILENO, content)) {
      diags.error(SourceLoc{}, fmt::format("cannot write standard output: {}",
                                           std::strerror(errno)));
      return failure();
    }
    return success();
  }
  // Devices, FIFOs and the like (`-o /dev/null`, `-o /dev/stderr`) are
  // written in place: renaming a file over them would replace the device.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && writeAll(fd, content);
    int savedErrno = errno;
    if (fd >= 0)
      ::close(fd);
    if (!ok) {
      diags.error(SourceLoc{}, fmt::format("cannot write '{}': {}", path,
                                           std::strerror(savedErrno)));
      return failure();
    }
    return success();
  }
  std::string temp = fmt::format("{}.tmp.{}", path, ::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    diags.error(SourceLoc{}, fmt::format("cannot write '{}': {}", path,
                                         std::strerror(errno)));
    return failure();
  }
  bool ok = writeAll(fd, content);
  int savedErrno = errno;
  if (::close(fd) != 0 && ok) {
    ok = false;
    savedErrno = errno;
  }
  if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
    ok = false;
    savedErrno = errno;
  }
  if (!ok) {
    ::unlink(temp.c_str());
    diags.error(SourceLoc{}, fmt::format("cannot write '{}': {}", path,
                                         std::strerror(savedErrno)));
    return failure();
  }
  return success();
}

std::vector<std::shared_ptr<SourceBuffer>>
mav::splitInputBuffer(const SourceBuffer &buffer) {
  std::vector<std::shared_ptr<SourceBuffer>> chunks;
  const std::string &text = buffer.getText();
  size_t chunkStart = 0;
  unsigned chunkFirstLine = buffer.getFirstLine();
  unsigned line = buffer.getFirstLine();
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos)
      end = text.size();
    std::string_view lineText(text.data() + pos, end - pos);
    while (!lineText.empty() &&
           (lineText.back() == ' ' || lineText.back() == '\r'))
      lineText.remove_suffix(1);
    if (lineText == kSplitMarker) {
      chunks.push_back(std::make_shared<SourceBuffer>(
          buffer.getName(), text.substr(chunkStart, pos - chunkStart),
          chunkFirstLine));
      chunkStart = end + 1;
      chunkFirstLine = line + 1;
    }
    if (end == text.size())
      break;
    pos = end + 1;
    ++line;
  }
  chunks.push_back(std::make_shared<SourceBuffer>(
      buffer.getName(),
      chunkStart <= text.size() ? text.substr(chunkStart) : std::string(),
      chunkFirstLine));
  return chunks;
}
