// Every module shares one include root, so nothing but this test stops a module from including a
// later one. It reads every source file under src/ and holds each `#include "module/…"` edge
// against the pipeline order of DESIGN.md:
//   core → scenario → workload → protocol → http → load → telemetry → results → analysis →
//   report → orchestrate → cli
// A module may include itself and the modules before it; `sim` stands beside the pipeline and
// may use only core, protocol and workload; only cli (which wires everything) may use sim.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace servemeter {
namespace {

const std::vector<std::string> kPipeline = {"core",     "scenario", "workload",    "protocol",
                                            "http",     "load",     "telemetry",   "results",
                                            "analysis", "report",   "orchestrate", "cli"};
const std::set<std::string> kSimUses = {"core", "protocol", "workload"};
const std::set<std::string> kSimUsers = {"cli"};

const std::filesystem::path kSource = SERVEMETER_SOURCE_DIR;

bool allowed(const std::string& from, const std::string& to) {
  if (from == to) return true;
  if (from == "sim") return kSimUses.contains(to);
  if (to == "sim") return kSimUsers.contains(from);
  const auto f = std::find(kPipeline.begin(), kPipeline.end(), from);
  const auto t = std::find(kPipeline.begin(), kPipeline.end(), to);
  return f != kPipeline.end() && t != kPipeline.end() && t < f;
}

bool known(const std::string& module) {
  return module == "sim" ||
         std::find(kPipeline.begin(), kPipeline.end(), module) != kPipeline.end();
}

struct Edge {
  std::string file;
  int line = 0;
  std::string from, to;
};

// Every quoted include whose first path component is a folder under src/.
std::vector<Edge> include_edges(const std::filesystem::path& src) {
  static const std::regex kInclude(R"(^\s*#\s*include\s*"([^"/]+)/[^"]*")");
  std::vector<Edge> edges;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const auto ext = entry.path().extension().string();
    if (ext != ".cpp" && ext != ".h" && ext != ".hpp" && ext != ".cc") continue;
    const auto relative = std::filesystem::relative(entry.path(), src);
    const std::string from = relative.begin()->string();
    std::ifstream in(entry.path());
    std::string text;
    int number = 0;
    while (std::getline(in, text)) {
      ++number;
      std::smatch match;
      if (!std::regex_search(text, match, kInclude)) continue;
      const std::string to = match[1].str();
      if (!std::filesystem::is_directory(src / to)) continue;  // a third-party header
      edges.push_back({relative.string(), number, from, to});
    }
  }
  return edges;
}

TEST(Layering, TheTableFollowsDesignOrder) {
  EXPECT_TRUE(allowed("cli", "orchestrate"));
  EXPECT_TRUE(allowed("http", "protocol"));
  EXPECT_TRUE(allowed("orchestrate", "telemetry"));
  EXPECT_FALSE(allowed("telemetry", "orchestrate"));
  EXPECT_FALSE(allowed("core", "workload"));
  EXPECT_FALSE(allowed("results", "analysis"));
  EXPECT_TRUE(allowed("sim", "protocol"));
  EXPECT_FALSE(allowed("sim", "http"));
  EXPECT_FALSE(allowed("orchestrate", "sim"));
  EXPECT_TRUE(allowed("cli", "sim"));
  EXPECT_TRUE(allowed("scenario", "core"));
  EXPECT_FALSE(allowed("scenario", "workload"));
}

TEST(Layering, EveryModuleFolderIsInTheTable) {
  for (const auto& entry : std::filesystem::directory_iterator(kSource)) {
    if (!entry.is_directory()) continue;
    EXPECT_TRUE(known(entry.path().filename().string()))
        << "src/" << entry.path().filename().string()
        << " is not in the layering table: add it to DESIGN.md's pipeline and to this test";
  }
}

TEST(Layering, NoIncludeGoesAgainstThePipeline) {
  const auto edges = include_edges(kSource);
  ASSERT_GT(edges.size(), 100u) << "found too few includes under " << kSource;
  std::map<std::string, std::set<std::string>> seen;
  for (const auto& edge : edges) {
    seen[edge.from].insert(edge.to);
    EXPECT_TRUE(known(edge.to)) << "src/" << edge.file << ":" << edge.line << " includes from '"
                                << edge.to << "', a folder that is not a known module";
    EXPECT_TRUE(allowed(edge.from, edge.to))
        << "src/" << edge.file << ":" << edge.line << ": module '" << edge.from << "' includes '"
        << edge.to << "/…', against the pipeline order (see DESIGN.md)";
  }
  EXPECT_TRUE(seen["cli"].contains("orchestrate"));  // the scan sees real edges
}

}  // namespace
}  // namespace servemeter
