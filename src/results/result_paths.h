#pragma once
// Where a framework's result files live, and how a framework or model name becomes a file name.
#include <filesystem>
#include <string>
#include <string_view>

namespace servemeter {

struct ResultPaths {
  std::filesystem::path folder;          // results/<fw>/
  std::filesystem::path results_json;    // results/<fw>/<fw>_<model>_results.json
  std::filesystem::path requests_jsonl;  // results/<fw>/<fw>_<model>_requests.jsonl
  std::filesystem::path gpu_jsonl;       // results/<fw>/<fw>_<model>_gpu.jsonl
  std::filesystem::path server_log;      // results/<fw>/server.log
};

// A name as one path component that cannot leave its folder and cannot collide with another
// name's: letters, digits, '-', '.' and '_' stay (so "llama3.1-8b" is itself); every other byte
// ('/', ':', NUL, newlines, '%', …) and a leading '.' become %XX. Names so long that a file name
// would pass 255 bytes are cut and end in '~' and a hash of the whole name.
std::string file_safe(std::string_view name);

ResultPaths result_paths(const std::filesystem::path& results_dir, const std::string& framework,
                         const std::string& model);

}  // namespace servemeter
