// The README's commands do not rot: every `servemeter <subcommand> …` in its code blocks and
// inline code names a subcommand that exists and only flags that subcommand's --help lists; the
// scripts it names exist; and the cheap ones run: every `servemeter suite …` as a --dry-run,
// `servemeter scenarios`, and `servemeter <subcommand> --help`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "support/run_process.h"

namespace servemeter {
namespace {

const std::filesystem::path kSource = SERVEMETER_SOURCE_DIR;

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Command {
  std::string line;  // as written (continuations joined)
  std::vector<std::string> words;
};

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// The lines of the README's fenced code blocks, continuations joined and comments dropped.
std::vector<std::string> code_lines(const std::string& readme) {
  std::vector<std::string> lines;
  std::istringstream in(readme);
  bool inside = false;
  std::string pending;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      inside = !inside;
      continue;
    }
    if (!inside) continue;
    if (const auto hash = line.find(" #"); hash != std::string::npos) line.erase(hash);
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    lines.push_back(pending + line);
    pending.clear();
  }
  return lines;
}

// The text outside code blocks' `servemeter …` spans.
std::vector<std::string> inline_spans(const std::string& readme) {
  std::vector<std::string> spans;
  std::string prose;
  std::istringstream in(readme);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      inside = !inside;
      continue;
    }
    if (!inside) prose += line + "\n";
  }
  // Backticks pair up in order: every second piece between them is a code span.
  std::size_t open = prose.find('`');
  while (open != std::string::npos) {
    const std::size_t close = prose.find('`', open + 1);
    if (close == std::string::npos) break;
    const std::string span = prose.substr(open + 1, close - open - 1);
    if (span.find("servemeter ") != std::string::npos) spans.push_back(span);
    open = prose.find('`', close + 1);
  }
  return spans;
}

// Every `servemeter SUB …` (or build/release/servemeter) in `line`.
std::vector<Command> servemeter_commands(const std::string& line) {
  std::vector<Command> found;
  const auto words = split_words(line);
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i] != "servemeter" && words[i] != "build/release/servemeter") continue;
    Command command{line, {}};
    for (std::size_t j = i + 1; j < words.size() && words[j] != "|" && words[j] != "&&"; ++j)
      command.words.push_back(words[j]);
    if (!command.words.empty() &&
        command.words[0].find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos)
      found.push_back(command);
  }
  return found;
}

std::vector<Command> readme_commands() {
  const std::string readme = read_file(kSource / "README.md");
  std::vector<Command> commands;
  for (const auto& line : code_lines(readme))
    for (auto& c : servemeter_commands(line)) commands.push_back(std::move(c));
  for (const auto& span : inline_spans(readme))
    for (auto& c : servemeter_commands(span)) commands.push_back(std::move(c));
  return commands;
}

std::string help_of(const std::string& subcommand) {
  static std::map<std::string, std::string> cache;
  if (!cache.count(subcommand)) {
    const auto r = testsupport::run_process({SERVEMETER_BINARY, subcommand, "--help"}, 30);
    // An unknown subcommand gets the top-level help: only its own usage line counts.
    const std::string text = r.out + r.err;
    const bool own = text.find("Usage: servemeter " + subcommand + " ") != std::string::npos;
    cache[subcommand] = r.exit_code == 0 && own ? text : std::string();
  }
  return cache[subcommand];
}

TEST(ReadmeCommands, TheReadmeNamesServemeterCommandsForEverySubcommandItDocuments) {
  std::set<std::string> subcommands;
  for (const auto& c : readme_commands()) subcommands.insert(c.words[0]);
  for (const char* expected : {"suite", "run", "analyze", "preflight", "sim", "scenarios"})
    EXPECT_TRUE(subcommands.count(expected))
        << "the README shows no `servemeter " << expected << " …` command";
}

TEST(ReadmeCommands, EverySubcommandAndFlagInTheReadmeExists) {
  const auto commands = readme_commands();
  ASSERT_GT(commands.size(), 10u);
  for (const auto& c : commands) {
    const std::string help = help_of(c.words[0]);
    ASSERT_FALSE(help.empty()) << "`servemeter " << c.words[0]
                               << " --help` failed: no such subcommand (README: " << c.line << ")";
    for (std::size_t i = 1; i < c.words.size(); ++i) {
      std::string word = c.words[i];
      if (word.rfind("--", 0) != 0 || word == "--") continue;
      word = word.substr(0, word.find('='));
      word = word.substr(0, word.find_first_of("`),;[]"));
      const std::regex listed("(^|[\\s,])" + word + "([\\s,=]|$)");
      EXPECT_TRUE(std::regex_search(help, listed))
          << "`servemeter " << c.words[0] << "` has no flag " << word << " (README: " << c.line
          << ")";
    }
  }
}

TEST(ReadmeCommands, TheScriptsTheReadmeRunsExist) {
  const std::string readme = read_file(kSource / "README.md");
  for (const auto& line : code_lines(readme)) {
    const auto words = split_words(line);
    for (const auto& word : words) {
      if (word.rfind("scripts/", 0) != 0 && word.rfind("bench/", 0) != 0) continue;
      EXPECT_TRUE(std::filesystem::exists(kSource / word)) << word << " (README: " << line << ")";
    }
  }
}

TEST(ReadmeCommands, TheReadmesSuiteCommandsRunAsDryRuns) {
  int ran = 0;
  for (const auto& c : readme_commands()) {
    if (c.words[0] != "suite") continue;
    std::vector<std::string> args{SERVEMETER_BINARY};
    bool dry = false;
    for (const auto& w : c.words) {
      // A placeholder ([model], <dir>, …): run what comes before it.
      if (w.find_first_of("[]<>|") != std::string::npos || w.find("…") != std::string::npos) break;
      args.push_back(w);
      dry = dry || w == "--dry-run";
    }
    if (!dry) args.push_back("--dry-run");
    const auto r = testsupport::run_process(args, 60);
    EXPECT_EQ(r.exit_code, 0) << c.line << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("suite total: "), std::string::npos) << c.line << "\n" << r.out;
    ++ran;
  }
  EXPECT_GE(ran, 3);
}

TEST(ReadmeCommands, ServemeterScenariosRuns) {
  const auto r = testsupport::run_process({SERVEMETER_BINARY, "scenarios"}, 30);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("prefix_cache"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace servemeter
