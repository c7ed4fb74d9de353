#pragma once
// Helpers shared by the fuzz targets: cutting an input into the reads a network would deliver,
// handing each read over in its own heap block, stopping on a broken invariant, and a file in
// memory.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace servemeter::fuzz {

// A broken invariant: say which, then abort() so libFuzzer keeps the input as a crash.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
  std::abort();
}

inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

// The input's first byte holds how many cuts follow (its low 3 bits, 0-7), each one byte: the
// length of the next read (0 is an empty read). What remains after the cuts is the last read.
// So the fuzzer chooses the read boundaries as well as the bytes.
struct Reads {
  std::string_view stream;              // every byte after the cut header, in order
  std::vector<std::string_view> reads;  // `stream` cut into reads (empty reads included)
};

inline Reads cut_into_reads(std::string_view input) {
  Reads out;
  if (input.empty()) return out;
  const std::size_t cuts = static_cast<unsigned char>(input[0]) & 7u;
  input.remove_prefix(1);
  const std::string_view lengths = input.substr(0, cuts);
  input.remove_prefix(lengths.size());
  out.stream = input;
  for (const char length : lengths) {
    const std::string_view read = input.substr(0, static_cast<unsigned char>(length));
    out.reads.push_back(read);
    input.remove_prefix(read.size());
  }
  if (!input.empty() || out.reads.empty()) out.reads.push_back(input);
  return out;
}

// Every byte a read of its own (views into `stream`).
inline std::vector<std::string_view> byte_reads(std::string_view stream) {
  std::vector<std::string_view> reads;
  reads.reserve(stream.size());
  for (std::size_t i = 0; i < stream.size(); ++i) reads.push_back(stream.substr(i, 1));
  return reads;
}

// Calls fn(read, index) for each read, copied into a heap block of exactly its size that is
// freed right after the call: AddressSanitizer then reports any byte read past a read's end and
// any view still kept into an earlier read.
template <class Fn>
void for_each_read(const std::vector<std::string_view>& reads, Fn&& fn) {
  for (std::size_t i = 0; i < reads.size(); ++i) {
    const std::string_view read = reads[i];
    const auto block = std::make_unique<char[]>(read.size());
    if (!read.empty()) std::memcpy(block.get(), read.data(), read.size());
    fn(std::string_view(block.get(), read.size()), i);
  }
}

// Calls fn(read, index) for each read in place (no copies): for the many one-byte reads, where a
// heap block per byte would cost more than the framing.
template <class Fn>
void for_each_view(const std::vector<std::string_view>& reads, Fn&& fn) {
  for (std::size_t i = 0; i < reads.size(); ++i) fn(reads[i], i);
}

// Which read holds a byte of the stream.
class ReadIndex {
 public:
  explicit ReadIndex(const std::vector<std::string_view>& reads) {
    std::size_t end = 0;
    for (const std::string_view read : reads) ends_.push_back(end += read.size());
  }
  // The index of the read holding the stream's byte `offset`.
  std::size_t holding(std::size_t offset) const {
    const auto it = std::upper_bound(ends_.begin(), ends_.end(), offset);
    if (it == ends_.end()) fail("ReadIndex: offset past the stream");
    return static_cast<std::size_t>(it - ends_.begin());
  }

 private:
  std::vector<std::size_t> ends_;  // one past each read's last byte
};

// A file in memory that a reader opens by path (/proc/self/fd/N), rewritten for each input, for
// the targets whose code under test reads files.
class MemoryFile {
 public:
  explicit MemoryFile(const char* name) : fd_(memfd_create(name, MFD_CLOEXEC)) {
    check(fd_ >= 0, "memfd_create failed");
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }
  void write(const std::uint8_t* data, std::size_t size) {
    check(::ftruncate(fd_, 0) == 0, "ftruncate failed");
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(done));
      check(n > 0, "pwrite failed");
      done += static_cast<std::size_t>(n);
    }
  }

 private:
  int fd_;
};

}  // namespace servemeter::fuzz
