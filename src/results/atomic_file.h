#pragma once
#include <filesystem>
#include <stdexcept>
#include <string_view>

namespace servemeter {

// The output folder or file could not be written; the message names the path and the reason.
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `content` to a temporary file beside `path`, flushes it and renames it over `path`, so a
// reader (or an interrupted run) sees either the old file or the whole new one.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// When `path` cannot be written: the same content in $TMPDIR (or /tmp) under a name derived
// from it; returns where it went. Throws OutputError if even that fails.
std::filesystem::path write_fallback_file(const std::filesystem::path& path,
                                          std::string_view content);

// Creates `folder` (and parents) and checks that a file can be written there.
void ensure_writable_folder(const std::filesystem::path& folder);

}  // namespace servemeter
