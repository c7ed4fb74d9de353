#include "results/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace servemeter {
namespace {
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error) {
  throw OutputError("cannot " + what + " " + path.string() + ": " + std::strerror(error) +
                    " (choose a writable folder with --results-dir)");
}
}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temp = path.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("write", temp, errno);
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      fail("write", temp, error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail("flush", temp, error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    fail("rename into", path, error);
  }
}

std::filesystem::path write_fallback_file(const std::filesystem::path& path,
                                          std::string_view content) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path folder = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  const auto fallback =
      folder / ("servemeter-" + std::to_string(::getpid()) + "-" + path.filename().string());
  write_file_atomically(fallback, content);
  return fallback;
}

void ensure_writable_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) fail("create folder", folder, ec.value());
  if (::access(folder.c_str(), W_OK) != 0) fail("write into folder", folder, errno);
}

}  // namespace servemeter
