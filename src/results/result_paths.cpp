#include "results/result_paths.h"

#include <cstdint>
#include <cstdio>

namespace servemeter {
namespace {

constexpr std::size_t kMaxComponent = 100;  // leaves room for "<fw>_" and "_requests.jsonl"

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 1469598103934665603ull;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

bool keeps(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::string file_safe(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (keeps(c) && !(i == 0 && c == '.')) {
      out.push_back(static_cast<char>(c));
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  if (out.empty()) out = "%";  // "" is not a file name; "%" alone decodes to nothing else
  if (out.size() > kMaxComponent) {
    char hash[20];
    std::snprintf(hash, sizeof hash, "~%016llx", static_cast<unsigned long long>(fnv1a(name)));
    out = out.substr(0, kMaxComponent - 17) + hash;
  }
  return out;
}

ResultPaths result_paths(const std::filesystem::path& results_dir, const std::string& framework,
                         const std::string& model) {
  ResultPaths p;
  p.folder = results_dir / file_safe(framework);
  const std::string stem = file_safe(framework) + "_" + file_safe(model);
  p.results_json = p.folder / (stem + "_results.json");
  p.requests_jsonl = p.folder / (stem + "_requests.jsonl");
  p.gpu_jsonl = p.folder / (stem + "_gpu.jsonl");
  p.server_log = p.folder / "server.log";
  return p;
}

}  // namespace servemeter
