// Scenario files: the runbook's five ship as data with the runbook's cells, and every way a
// file can be wrong gives one message naming the file, the cell, the key and the value.
#include "scenario/scenario_spec.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace servemeter {
namespace {

// The error's message, or "" when `yaml` parsed.
std::string problem_with(const std::string& yaml) {
  try {
    parse_scenario(yaml, "my.yaml");
    return "";
  } catch (const ScenarioError& e) {
    return e.what();
  }
}

constexpr const char* kGood = R"(name: mine
cells:
  - {result_name: custom, prompts: corpus_en, input_tokens: 64, output_tokens: 8,
     concurrency: 2, num_requests: 5}
)";

TEST(BuiltinScenarios, HaveTheRunbooksCells) {
  const auto all = resolve_scenarios("all");
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].name, "single");
  const auto& single = all[0].cells;
  ASSERT_EQ(single.size(), 3u);
  EXPECT_EQ(single[0].result_name, "single_request");
  EXPECT_EQ(*single[0].input_tokens, 128);
  EXPECT_EQ(*single[2].input_tokens, 1024);
  EXPECT_EQ(single[1].num_requests, 10);
  EXPECT_EQ(single[1].warmup, 3);
  EXPECT_EQ(*single[1].concurrency, 1);
  EXPECT_EQ(single[1].output_tokens, 256);

  const auto& concurrent = all[1].cells;
  ASSERT_EQ(concurrent.size(), 5u);
  std::vector<int> levels;
  for (const auto& c : concurrent) {
    EXPECT_EQ(c.result_name, "concurrent_load");
    EXPECT_EQ(*c.input_tokens, 512);
    EXPECT_EQ(c.num_requests, 100);
    levels.push_back(*c.concurrency);
  }
  EXPECT_EQ(levels, (std::vector<int>{1, 8, 16, 32, 64}));

  const auto& long_context = all[2].cells;
  ASSERT_EQ(long_context.size(), 4u);
  EXPECT_EQ(*long_context[3].input_tokens, 4096);
  EXPECT_EQ(*long_context[3].concurrency, 8);
  EXPECT_EQ(long_context[3].num_requests, 5);

  const auto& prefix = all[3].cells;
  ASSERT_EQ(prefix.size(), 2u);
  EXPECT_EQ(prefix[0].result_name, "prefix_cache");
  EXPECT_EQ(prefix[0].prompts, PromptSource::prefix_shared);
  EXPECT_EQ(prefix[1].result_name, "prefix_cache_control");
  EXPECT_EQ(prefix[1].prompts, PromptSource::prefix_unique);
  EXPECT_EQ(prefix[0].num_requests, 50);
  EXPECT_EQ(prefix[0].warmup, 0);
  EXPECT_TRUE(prefix[0].flush_cache);

  const auto& korean = all[4].cells;
  ASSERT_EQ(korean.size(), 4u);
  EXPECT_EQ(korean[0].result_name, "korean_ko");
  EXPECT_EQ(korean[1].result_name, "korean_en");
  EXPECT_EQ(*korean[2].concurrency, 8);
  EXPECT_EQ(korean[0].num_requests, 10);
  EXPECT_EQ(korean[0].warmup, 3);
}

TEST(BuiltinScenarios, ACommaListKeepsItsOrderAndUnknownNamesListTheKnown) {
  const auto two = resolve_scenarios("korean,single,korean");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].name, "korean");
  EXPECT_EQ(two[1].name, "single");
  try {
    resolve_scenarios("singel");
    FAIL();
  } catch (const ScenarioError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'singel'"), std::string::npos) << m;
    EXPECT_NE(m.find("prefix_cache"), std::string::npos) << m;
  }
}

TEST(ScenarioFile, AGoodFileParsesWithADerivedLabel) {
  const auto spec = parse_scenario(kGood, "my.yaml");
  EXPECT_EQ(spec.name, "mine");
  ASSERT_EQ(spec.cells.size(), 1u);
  EXPECT_EQ(spec.cells[0].label, "in=64,out=8,conc=2");
  EXPECT_EQ(problem_with(kGood), "");
}

TEST(ScenarioFile, EveryBadInputIsNamed) {
  struct Case {
    std::string yaml;
    std::vector<std::string> said;
  };
  const std::string cell =
      "  - {result_name: custom, prompts: corpus_en, input_tokens: 64, output_tokens: 8, ";
  const std::vector<Case> cases = {
      {"", {"my.yaml", "empty"}},
      {"   \n\n", {"empty"}},
      {"name: [unclosed\n", {"my.yaml", "not valid YAML"}},
      {"name: x\ncells:\n\t- {}\n", {"line 3", "tab"}},
      {"- just\n- a list\n", {"top level", "a list"}},
      {"name: x\n", {"'cells'"}},
      {"name: x\ncells: []\n", {"'cells'", "non-empty"}},
      {"cells:\n" + cell + "concurrency: 1, num_requests: 1}\n", {"'name'"}},
      {"name: x\nextra: 1\ncells:\n" + cell + "concurrency: 1, num_requests: 1}\n",
       {"unknown top-level key 'extra'"}},
      {"name: x\ncells:\n" + cell + "concurency: 1, num_requests: 1}\n",
       {"cell 1", "unknown key 'concurency'", "concurrency"}},
      {"name: x\ncells:\n" + cell + "concurrency: eight, num_requests: 1}\n",
       {"cell 1", "'concurrency'", "whole number", "'eight'"}},
      {"name: x\ncells:\n" + cell + "concurrency: 1000000000, num_requests: 1}\n",
       {"concurrency 1000000000", "out of range"}},
      {"name: x\ncells:\n" + cell + "concurrency: 1, num_requests: -5}\n",
       {"num_requests -5", "out of range"}},
      {"name: x\ncells:\n" + cell + "num_requests: 1}\n", {"'concurrency'", "'request_rate'"}},
      {"name: x\ncells:\n" + cell + "concurrency: 1, request_rate: 5, num_requests: 1}\n",
       {"not both"}},
      {"name: x\ncells:\n" + cell + "concurrency: 1, burstiness: 2, num_requests: 1}\n",
       {"'burstiness'", "request_rate"}},
      {"name: x\ncells:\n" + cell + "request_rate: .nan, num_requests: 1}\n",
       {"'request_rate'", "number"}},
      {"name: x\ncells:\n  - {result_name: custom, prompts: corpus_en, output_tokens: 8, "
       "concurrency: 1, num_requests: 1}\n",
       {"needs 'input_tokens'"}},
      {"name: x\ncells:\n  - {result_name: k, prompts: korean_ko, input_tokens: 5, "
       "output_tokens: 8, concurrency: 1, num_requests: 1}\n",
       {"drop 'input_tokens'"}},
      {"name: x\ncells:\n  - {result_name: k, prompts: poetry, output_tokens: 8, concurrency: 1, "
       "num_requests: 1}\n",
       {"'poetry'", "corpus_en"}},
      {"name: x\ncells:\n" + cell + "concurrency: 1, num_requests: 1, flush_cache: maybe}\n",
       {"'flush_cache'", "true or false"}},
      {"name: All Caps\ncells:\n" + cell + "concurrency: 1, num_requests: 1}\n",
       {"name 'All Caps'"}},
      {"name: x\ncells:\n" + cell + "concurrency: 1, num_requests: 1}\n" + cell +
           "concurrency: 1, num_requests: 1}\n",
       {"cell 2", "give them labels"}},
  };
  for (const auto& c : cases) {
    const std::string message = problem_with(c.yaml);
    ASSERT_FALSE(message.empty()) << "accepted:\n" << c.yaml;
    for (const auto& word : c.said)
      EXPECT_NE(message.find(word), std::string::npos) << "'" << word << "' not in: " << message;
  }
}

TEST(ScenarioFile, FilesThatAreNotFilesAreNamed) {
  const testsupport::TempDir dir;
  try {
    load_scenario_file(dir.path());
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos) << e.what();
  }
  try {
    load_scenario_file(dir / "missing.yaml");
    FAIL();
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.yaml"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "ok.yaml") << kGood;
  EXPECT_EQ(load_scenario_file(dir / "ok.yaml").cells.size(), 1u);
}

}  // namespace
}  // namespace servemeter
