#include "results/result_paths.h"

#include <gtest/gtest.h>

#include <set>

namespace servemeter {
namespace {

TEST(ResultPaths, PlainNamesStayReadable) {
  const auto p = result_paths("results", "vllm", "llama3.1-8b");
  EXPECT_EQ(p.results_json, "results/vllm/vllm_llama3.1-8b_results.json");
  EXPECT_EQ(p.requests_jsonl, "results/vllm/vllm_llama3.1-8b_requests.jsonl");
}

TEST(ResultPaths, NoNameLeavesItsFolder) {
  const std::vector<std::string> names = {
      "..",       ".",     "../etc", "a/../../b", "/abs", "x\ny", std::string("n\0ul", 4),
      "\x1b[31m", "~root", ""};
  for (const std::string& name : names) {
    const std::string safe = file_safe(name);
    EXPECT_EQ(safe.find('/'), std::string::npos) << safe;
    EXPECT_EQ(safe.find('\0'), std::string::npos) << safe;
    EXPECT_NE(safe, "..");
    EXPECT_NE(safe, ".");
    EXPECT_FALSE(safe.empty());
    EXPECT_NE(safe.front(), '.') << safe;
    for (const char c : safe) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << safe;
    const auto p = result_paths("results", name, name);
    EXPECT_EQ(p.results_json.parent_path().parent_path(), "results") << p.results_json;
  }
}

TEST(ResultPaths, DifferentNamesNeverShareAFile) {
  const std::vector<std::string> names = {"llama3.1:8b",
                                          "llama3.1-8b",
                                          "llama3.1%3A8b",
                                          "a/b",
                                          "a-b",
                                          "a%2Fb",
                                          ".x",
                                          "%2Ex",
                                          "x.",
                                          "",
                                          "%"};
  std::set<std::string> seen;
  for (const auto& n : names) EXPECT_TRUE(seen.insert(file_safe(n)).second) << n;
}

TEST(ResultPaths, LongNamesFitAFileNameAndStayDistinct) {
  const std::string a(400, 'a');
  const std::string b = std::string(399, 'a') + "b";
  EXPECT_LE(file_safe(a).size(), 100u);
  EXPECT_NE(file_safe(a), file_safe(b));
  const auto p = result_paths("r", a, b);
  EXPECT_LT(p.requests_jsonl.filename().string().size(), 255u);
}

}  // namespace
}  // namespace servemeter
