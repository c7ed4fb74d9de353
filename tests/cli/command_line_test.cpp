#include "cli/command_line.h"

#include <gtest/gtest.h>

namespace servemeter {
namespace {

TEST(CommandLine, ApiKeyNeverAppears) {
  const char* argv[] = {"servemeter",         "run",     "--api-key", "sk-secret",
                        "--api-key=sk-other", "--model", "my model"};
  const auto line = redacted_command_line(7, argv);
  EXPECT_EQ(line.find("sk-"), std::string::npos) << line;
  EXPECT_EQ(line, "servemeter run --api-key <redacted> --api-key=<redacted> --model 'my model'");
}

}  // namespace
}  // namespace servemeter
